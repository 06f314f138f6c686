import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { requireBuiltCli, runCli, type CliRun } from '../rig/cli.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { send } from '../rig/test-http.js';
import { requireTool } from '../rig/tools.js';
import { stackLine } from './cli-kit.js';

/**
 * Passwords and tokens never appear in what bmpack prints or writes. One
 * distinctive password serves a token-auth registry (whose token server
 * records every token it hands out) and an htpasswd registry over TLS; the
 * real CLI runs `bundle create`, `push images` and `image inspect` with it,
 * succeeding and failing (wrong password, denied push), with --debug (stack
 * traces and cause chains) and --json. No stdout, no stderr and no byte of
 * a bundle (compressed or not) or its .sha256 holds the password, the wrong
 * password tried, the base64 of user:password as Basic auth sends it, or
 * any access or refresh token issued. `--password` on the command line
 * warns.
 */
describe('reliability: secrets stay out of output, errors and bundles', function () {
  this.timeout(240_000);
  const password = 'Pw-bmpack-S3CRET-4f1c9e27';
  const wrong = 'Wrong-bmpack-S3CRET-77ad03';
  let token: RunningRegistry;
  let basic: RunningRegistry;
  let work: TrackedDir;
  let refreshToken: string;
  const runs: CliRun[] = [];
  const bundles: string[] = [];
  let n = 0;

  const b64 = (user: string, pw: string): string => Buffer.from(`${user}:${pw}`).toString('base64');
  /** Every string that must never be printed or written. */
  const secrets = (): string[] => {
    const user = token.username!;
    const issued = token.token!.issued.flatMap((t) => {
      // A JWT's signature and payload are as secret as the whole.
      const parts = t.split('.');
      return parts.length === 3 ? [t, parts[1]!, parts[2]!] : [t];
    });
    return [password, wrong, b64(user, password), b64(user, wrong), refreshToken, ...issued];
  };

  /** A Docker config file with `entry` for `host`. */
  async function dockerConfig(host: string, entry: Record<string, string>): Promise<string> {
    const file = join(work.path, `docker-config-${++n}.json`);
    await writeFile(file, JSON.stringify({ auths: { [host]: entry } }));
    return file;
  }

  /** Runs the CLI from a fresh folder without a Docker config of its own; keeps the run. */
  async function cli(args: readonly string[], input?: string): Promise<CliRun> {
    const cwd = join(work.path, `run-${++n}`);
    await mkdir(cwd);
    const run = await runCli(args, {
      cwd,
      env: { DOCKER_CONFIG: join(cwd, 'none') },
      ...(input !== undefined ? { input } : {}),
      timeoutMs: 120_000,
    });
    runs.push(run);
    return run;
  }

  const expectCode = (run: CliRun, code: number): void => {
    expect(run.code, `${run.argv}\n${run.stderr}\n${run.stdout}`).to.equal(code);
  };

  before(async () => {
    requireBuiltCli();
    work = await makeTempDir('bmpack-secrets-');
    token = await startRegistry('token', {
      password,
      token: {
        // Pushes to denied/… get pull only: the push fails after tokens were issued.
        grant: (user, scope) => {
          if (scope.type !== 'repository' || user === undefined) return [];
          const allowed = scope.name.startsWith('denied/') ? ['pull'] : ['pull', 'push'];
          return scope.actions.filter((a) => allowed.includes(a));
        },
      },
    });
    basic = await startRegistry('htpasswd', { username: token.username!, password });
    await seedImage(
      token,
      makeImage({ seed: 901, layers: 2, layerSize: 4000, format: 'oci' }),
      'sec/app:1',
    );
    // An identity token (OAuth2 refresh token), as `docker login` stores for some registries.
    const res = await send(token.token!.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: token.username!,
        password,
        client_id: 'secrets-test',
        service: token.token!.service,
        access_type: 'offline',
        scope: 'repository:sec/app:pull',
      }).toString(),
    });
    refreshToken = (JSON.parse(res.body.toString()) as { refresh_token: string }).refresh_token;
    expect(refreshToken).to.be.a('string');
  });
  after(async () => {
    await token.stop();
    await basic.stop();
    await work.stop();
  });

  it('bundle create: with a Docker config (auth, identitytoken), wrong passwords, --debug and --json', async () => {
    const list = join(work.path, 'images.txt');
    await writeFile(list, `${token.host}/sec/app:1\n`);
    const create = async (config: string, extra: string[]): Promise<CliRun> => {
      const output = join(work.path, `bundle-${++n}.tar.xz`);
      const run = await cli([
        'bundle',
        'create',
        '--manifest',
        list,
        '--insecure-registry',
        token.host,
        '--docker-config',
        config,
        '--cache-dir',
        join(work.path, `cache-${n}`),
        '--output',
        output,
        ...extra,
      ]);
      if (run.code === 0) bundles.push(output);
      return run;
    };
    const good = await dockerConfig(token.host, { auth: b64(token.username!, password) });
    expectCode(await create(good, []), 0);
    expectCode(await create(good, ['--debug', '--json']), 0);
    const identity = await dockerConfig(token.host, {
      auth: b64(token.username!, ''),
      identitytoken: refreshToken,
    });
    expectCode(await create(identity, ['--debug']), 0);
    const bad = await dockerConfig(token.host, { auth: b64(token.username!, wrong) });
    const failed = await create(bad, ['--debug']);
    expectCode(failed, 4);
    expect(failed.stderr).to.match(stackLine); // --debug did print the trace and causes
    expectCode(await create(bad, ['--json']), 4);
    expectCode(await create(bad, []), 4);
    expect(bundles).to.have.length(3);
  });

  it('push images: --password (warned), --password-stdin, wrong passwords, a denied push, --debug and --json', async () => {
    const source = bundles[0]!;
    const push = (target: RunningRegistry, ns: string, auth: string[], extra: string[]) =>
      cli([
        'push',
        'images',
        '--source',
        source,
        '--private-registry',
        `${target.host}/${ns}`,
        ...(target.caFile !== undefined ? ['--cacert', target.caFile] : ['--plain-http']),
        '--username',
        token.username!,
        ...auth,
        ...extra,
      ]);
    const warned = await push(token, 'pushed', ['--password', password], []);
    expectCode(warned, 0);
    expect(warned.stderr).to.contain('--password-stdin');
    expectCode(
      await cli(
        [
          'push',
          'images',
          '--source',
          source,
          '--private-registry',
          `${token.host}/pushed-stdin`,
          '--plain-http',
          '--username',
          token.username!,
          '--password-stdin',
          '--debug',
          '--json',
        ],
        `${password}\n`,
      ),
      0,
    );
    expectCode(await push(token, 'wrong', ['--password', wrong], ['--debug']), 4);
    expectCode(await push(token, 'wrong', ['--password', wrong], ['--json']), 4);
    const denied = await push(token, 'denied', ['--password', password], ['--debug']);
    expect(denied.code).to.be.oneOf([4, 10]);
    expect(denied.stderr).to.match(stackLine);
    expect((await push(token, 'denied', ['--password', password], ['--json'])).code).to.be.oneOf([
      4, 10,
    ]);
    expectCode(await push(basic, 'pushed', ['--password', password], ['--debug']), 0);
    expectCode(await push(basic, 'wrong', ['--password', wrong], ['--debug']), 4);
    expectCode(await push(basic, 'wrong', ['--password', wrong], ['--json']), 4);
  });

  it('image inspect: with the password, a wrong one, --debug and --json', async () => {
    const inspect = (target: RunningRegistry, pw: string, extra: string[]) =>
      cli([
        'image',
        'inspect',
        `${target.host}/${target === token ? 'sec/app:1' : 'pushed/sec/app:1'}`,
        ...(target.caFile !== undefined ? ['--cacert', target.caFile] : ['--plain-http']),
        '--username',
        token.username!,
        '--password',
        pw,
        ...extra,
      ]);
    expectCode(await inspect(token, password, ['--debug', '--json']), 0);
    expectCode(await inspect(token, wrong, ['--debug']), 4);
    expectCode(await inspect(basic, password, ['--debug']), 0);
    expectCode(await inspect(basic, wrong, ['--json']), 4);
  });

  it('no output of any run, no bundle and no sidecar holds a password, a Basic credential or a token', async () => {
    expect(runs.length).to.be.greaterThan(15);
    // The runs did authenticate: tokens were issued to them (and refused for the wrong password).
    expect(token.token!.requests.filter((r) => r.status === 200).length).to.be.greaterThan(5);
    expect(token.token!.requests.some((r) => r.status === 401)).to.equal(true);
    const all = secrets();
    for (const run of runs) {
      for (const secret of all) {
        expect(run.stdout.includes(secret), `${run.argv}: stdout holds a secret`).to.equal(false);
        expect(run.stderr.includes(secret), `${run.argv}: stderr holds a secret`).to.equal(false);
      }
    }
    const xz = requireTool('xz', 'xz-utils');
    for (const bundle of bundles) {
      const files = [
        await readFile(bundle),
        await runTool(xz, ['-dc', bundle]),
        await readFile(`${bundle}.sha256`),
      ];
      for (const bytes of files) {
        for (const secret of all) {
          expect(bytes.includes(secret), `${bundle} holds a secret`).to.equal(false);
        }
      }
    }
    // Nor anything left in the run folders (a log, a debug dump).
    for (const name of await readdir(work.path)) {
      if (!name.startsWith('run-')) continue;
      expect(await readdir(join(work.path, name)), name).to.deep.equal([]);
    }
  });
});
