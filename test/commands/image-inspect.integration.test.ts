import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bmpack image inspect', function () {
  this.timeout(120_000);
  let reg: RunningRegistry;
  let tls: RunningRegistry;
  const amd = makeImage({ seed: 51, layers: 1, layerSize: 500, format: 'oci' });
  const arm = makeImage({
    seed: 52,
    layers: 1,
    layerSize: 500,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const index = makeIndex([amd, arm], 'oci');

  before(async () => {
    reg = await startRegistry('anonymous');
    await seedImage(reg, index, 'cli/multi:1');
    tls = await startRegistry('htpasswd');
    await seedImage(tls, amd, 'cli/single:1');
  });
  after(async () => {
    await reg.stop();
    await tls.stop();
  });

  it('prints the digest and platforms as JSON', async () => {
    const { stdout, error } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:1`, '--plain-http', '--json'],
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as { digest: string; platforms: string[] };
    expect(out.digest).to.equal(index.manifestDigest);
    expect(out.platforms).to.deep.equal(['linux/amd64', 'linux/arm64']);
  });

  it('prints a human summary without --json', async () => {
    const { stdout } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:1`, '--plain-http'],
      { root },
    );
    expect(stdout).to.contain(index.manifestDigest);
    expect(stdout).to.contain('linux/arm64');
  });

  it('logs in with --username and --password, warning about the password flag', async () => {
    const { stdout, stderr, error } = await runCommand(
      [
        'image',
        'inspect',
        `${tls.host}/cli/single:1`,
        '--cacert',
        tls.caFile!,
        '--username',
        tls.username!,
        '--password',
        tls.password!,
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    expect((JSON.parse(stdout) as { digest: string }).digest).to.equal(amd.manifestDigest);
    expect(stderr).to.contain('--password-stdin');
    expect(stdout + stderr).to.not.contain(tls.password!);
  });

  it('reports an unknown tag with E_NOT_FOUND and exit code 5 in JSON', async () => {
    const { stdout, error } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:nope`, '--plain-http', '--json'],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(5);
    const out = JSON.parse(stdout) as { error: { code: string; message: string; hint: string } };
    expect(out.error.code).to.equal('E_NOT_FOUND');
    expect(out.error.message).to.contain('cli/multi:nope');
    expect(out.error.hint).to.be.a('string');
  });

  it('reports an invalid reference with a hint, exit code 3 and no stack trace', async () => {
    const { stderr, error } = await runCommand(['image', 'inspect', 'Not//Valid'], { root });
    expect(error?.oclif?.exit).to.equal(3);
    expect(stderr).to.contain('E_REF_INVALID');
    expect(stderr).to.contain('Hint:');
    expect(stderr).to.not.match(/\n\s+at /);
  });

  it('shows the stack trace with --debug', async () => {
    const { stderr } = await runCommand(['image', 'inspect', 'Not//Valid', '--debug'], { root });
    expect(stderr).to.match(/\n\s+at /);
  });

  it('hints at --cacert when the registry CA is unknown', async () => {
    const { stderr, error } = await runCommand(
      ['image', 'inspect', `${tls.host}/cli/single:1`, '--username', 'u', '--password', 'p'],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(8);
    expect(stderr).to.contain('--cacert');
  });
});
