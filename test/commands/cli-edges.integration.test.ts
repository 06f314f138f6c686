/**
 * The command line's edges, through the built CLI (issue 19, items 1 and
 * 2): every parse error is E_USAGE, exit 2, one line with the usage, and
 * under --json the documented error object in under 2 KB; a mistyped flag
 * or command gets the closest one; -h, --help and `help TOPIC COMMAND` work
 * everywhere.
 */
import { expect } from 'chai';
import { requireBuiltCli, runCli, type CliRun } from '../rig/cli.js';
import { why } from '../reliability/network-faults-kit.js';

const commands = [
  'bundle create',
  'bundle inspect',
  'bundle verify',
  'image copy',
  'image inspect',
  'mirror check',
  'mirror config',
  'push images',
];
const topics = ['bundle', 'image', 'mirror', 'push'];

interface ErrorObject {
  error: { code: string; message: string; hint: string; exitCode: number };
}

function usageJson(run: CliRun): ErrorObject['error'] {
  expect(run.code, why(run)).to.equal(2);
  expect(Buffer.byteLength(run.stdout), 'JSON size').to.be.lessThan(2048);
  const parsed = JSON.parse(run.stdout) as ErrorObject;
  expect(Object.keys(parsed)).to.eql(['error']);
  expect(parsed.error.code).to.equal('E_USAGE');
  expect(parsed.error.exitCode).to.equal(2);
  expect(parsed.error.message).not.to.contain('\n');
  return parsed.error;
}

describe('the command line at its edges', function () {
  this.timeout(120_000);
  before(requireBuiltCli);

  it('an unknown flag: E_USAGE with the closest flag and the usage, in JSON and for people', async () => {
    const json = usageJson(
      await runCli([
        'push',
        'images',
        '--sorce',
        'b.tar.xz',
        '--private-registry',
        'r:5000',
        '--json',
      ]),
    );
    expect(json.message).to.equal('unknown flag --sorce for bmpack push images');
    expect(json.hint).to.contain('Did you mean --source?').and.contain('Usage: bmpack push images');
    const human = await runCli(['bundle', 'create', '--manifset', 'x.yaml']);
    expect(human.code).to.equal(2);
    expect(human.stderr).to.match(/^Error \[E_USAGE\]: unknown flag --manifset/);
    expect(human.stderr).to.contain('Did you mean --manifest?');
    expect(human.stderr.trim().split('\n')).to.have.length(2);
  });

  it('a missing argument, a refused value, a missing file: one line each, exit 2', async () => {
    expect(usageJson(await runCli(['image', 'inspect', '--json'])).message).to.equal(
      'missing argument IMAGE',
    );
    expect(
      usageJson(
        await runCli([
          'mirror',
          'config',
          '--private-registry',
          'r:5000',
          '--runtime',
          'nope',
          '--json',
        ]),
      ).message,
    )
      .to.contain('--runtime=nope')
      .and.contain('crio');
    expect(
      usageJson(
        await runCli([
          'push',
          'images',
          '--source',
          '/nonexistent.tar.xz',
          '--private-registry',
          'r:1',
          '--json',
        ]),
      ).message,
    ).to.equal('--source: No file found at /nonexistent.tar.xz');
    expect(
      usageJson(await runCli(['image', 'inspect', 'a.io/b:1', 'c.io/d:2', '--json'])).message,
    ).to.equal('Unexpected argument: c.io/d:2');
  });

  it('an unknown command or topic: E_USAGE with the closest command', async () => {
    const typo = await runCli(['bundel', 'inspect', 'x.tar.xz']);
    expect(typo.code).to.equal(2);
    expect(typo.stderr).to.contain('"bundel inspect" is not a bmpack command');
    expect(typo.stderr).to.contain('Did you mean "bmpack bundle inspect"?');
    const json = usageJson(await runCli(['push', 'imagez', '--json']));
    expect(json.hint).to.contain('"bmpack push images"');
    const far = usageJson(await runCli(['frobnicate', '--json']));
    expect(far.hint).not.to.contain('Did you mean');
  });

  it('-h and --help on every command and topic, and help TOPIC COMMAND', async () => {
    for (const c of commands) {
      for (const flag of ['-h', '--help']) {
        const run = await runCli([...c.split(' '), flag]);
        expect(run.code, `${c} ${flag}: ${why(run)}`).to.equal(0);
        expect(run.stdout, `${c} ${flag}`).to.contain(`$ bmpack ${c}`).and.contain('EXAMPLES');
      }
    }
    for (const t of topics) {
      const run = await runCli([t, '-h']);
      expect(run.code, t).to.equal(0);
      expect(run.stdout, t).to.contain(`$ bmpack ${t} COMMAND`);
    }
    const viaHelp = await runCli(['help', 'push', 'images']);
    expect(viaHelp.code, why(viaHelp)).to.equal(0);
    expect(viaHelp.stdout).to.contain('$ bmpack push images').and.contain('--private-registry');
    const root = await runCli(['help']);
    expect(root.code).to.equal(0);
    expect(root.stdout).to.contain('TOPICS').and.contain('push');
  });
});
