/**
 * One set of connection flags for every command that talks to registries
 * (issue 14, item 6): --cacert [HOST=]FILE, --plain-http [HOST],
 * --insecure-skip-tls-verify [HOST], --username [HOST=]USER with
 * --password-stdin, --authfile / REGISTRY_AUTH_FILE and the auth.json
 * places skopeo reads, against a plain-HTTP anonymous registry and a TLS
 * registry with htpasswd, both real. Every run gets its own HOME and XDG
 * folders, so that the machine's own logins change nothing.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeImage } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';
import { requireBuiltCli, runCli, type CliRun } from '../rig/cli.js';
import { errorOf, jsonOf, why } from '../reliability/network-faults-kit.js';

describe('connection flags, the same on every command', function () {
  this.timeout(120_000);
  let open: RunningRegistry;
  let secure: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let authFile: string;
  let bundle: string;
  const appA = makeImage({ seed: 71, layers: 1, layerSize: 3000, format: 'oci' });
  const appB = makeImage({ seed: 72, layers: 1, layerSize: 3000, format: 'docker' });

  before(async () => {
    requireBuiltCli();
    open = await startRegistry('anonymous');
    secure = await startRegistry('htpasswd');
    await seedImage(open, appA, 'open/a:1');
    await seedImage(secure, appB, 'secure/b:1');
    work = await writeImageSet([`${open.host}/open/a:1`, `${secure.host}/secure/b:1`]);
    authFile = join(work.dir, 'auth.json');
    const auth = Buffer.from(`${secure.username!}:${secure.password!}`).toString('base64');
    await writeFile(authFile, JSON.stringify({ auths: { [secure.host]: { auth } } }));
    bundle = join(work.dir, 'xdg.tar.xz');
  });
  after(async () => {
    await work.cleanup();
    await open.stop();
    await secure.stop();
  });

  /** A run with its own, empty HOME and XDG folders (plus `env`). */
  async function bmpack(args: string[], o: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
    const home = join(work.dir, `home-${Math.random().toString(36).slice(2)}`);
    await mkdir(home, { recursive: true });
    return runCli(args, {
      env: {
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_RUNTIME_DIR: join(home, 'run'),
        DOCKER_CONFIG: join(home, '.docker'),
        REGISTRY_AUTH_FILE: '',
        ...o.env,
      },
      ...(o.input !== undefined ? { input: o.input } : {}),
    });
  }
  const create = (name: string, ...extra: string[]) => [
    'bundle',
    'create',
    '--manifest',
    work.file,
    '--cache-dir',
    join(work.dir, `cache-${name}`),
    '--output',
    join(work.dir, `${name}.tar.xz`),
    '--plain-http',
    open.host,
    '--cacert',
    `${secure.host}=${secure.caFile!}`,
    '--json',
    ...extra,
  ];
  const ok = (run: CliRun): void => {
    expect(run.code, why(run)).to.equal(0);
  };

  it('bundle create: plain HTTP for one registry, a CA and a login for another (--username HOST=USER)', async () => {
    const run = await bmpack(
      create('login', '--username', `${secure.host}=${secure.username!}`, '--password-stdin'),
      { input: `${secure.password!}\n` },
    );
    ok(run);
    expect(jsonOf(run).images).to.equal(2);
    expect(run.stdout + run.stderr).not.to.contain(secure.password!);
  });

  it('bundle create: logins from --authfile, from REGISTRY_AUTH_FILE and from ${XDG_RUNTIME_DIR}/containers/auth.json', async () => {
    ok(await bmpack(create('authfile', '--authfile', authFile)));
    ok(await bmpack(create('env'), { env: { REGISTRY_AUTH_FILE: authFile } }));
    const home = join(work.dir, 'xdg');
    await mkdir(join(home, 'containers'), { recursive: true });
    await writeFile(join(home, 'containers', 'auth.json'), await readFile(authFile));
    const found = await bmpack(create('xdg'), {
      env: { XDG_RUNTIME_DIR: home },
    });
    ok(found);
  });

  it('bundle create: a bare --username, for a command with several registries, is E_USAGE naming the form', async () => {
    const run = await bmpack(create('bare', '--username', 'someone', '--password-stdin'), {
      input: 'pw\n',
    });
    expect(run.code, why(run)).to.equal(2);
    expect(errorOf(run).hint).to.contain('HOST[:PORT]=USER');
  });

  it('push images: the stored login in auth.json is used with no terminal and no flag', async () => {
    const home = join(work.dir, 'xdg');
    const run = await bmpack(
      [
        'push',
        'images',
        '--source',
        bundle,
        '--private-registry',
        `${secure.host}/mirror`,
        '--cacert',
        secure.caFile!,
        '--json',
      ],
      { env: { XDG_RUNTIME_DIR: home } },
    );
    ok(run);
    expect(jsonOf(run).images).to.equal(2);
  });

  it('image inspect: --insecure-skip-tls-verify HOST with --authfile, and --plain-http before an image reference', async () => {
    const skip = await bmpack([
      'image',
      'inspect',
      `${secure.host}/secure/b:1`,
      '--insecure-skip-tls-verify',
      secure.host,
      '--authfile',
      authFile,
      '--json',
    ]);
    ok(skip);
    expect(skip.stdout).to.contain(appB.manifestDigest);
    // `--plain-http` then a reference: the reference is the argument, not the flag's host.
    const plain = await bmpack([
      'image',
      'inspect',
      '--plain-http',
      `${open.host}/open/a:1`,
      '--json',
    ]);
    ok(plain);
    expect(plain.stdout).to.contain(appA.manifestDigest);
  });

  it('mirror check: --cacert HOST=FILE and --authfile reach the mirror the push wrote', async () => {
    const run = await bmpack([
      'mirror',
      'check',
      '--source',
      bundle,
      '--private-registry',
      `${secure.host}/mirror`,
      '--cacert',
      `${secure.host}=${secure.caFile!}`,
      '--authfile',
      authFile,
      '--json',
    ]);
    ok(run);
    const report = JSON.parse(run.stdout) as { images: Array<{ status: string }> };
    expect(report.images.map((i) => i.status)).to.eql(['present', 'present']);
  });

  it('bundle create --manifest - reads the list from standard input; with --password-stdin too it is E_USAGE', async () => {
    const args = create('stdin', '--authfile', authFile).map((a) => (a === work.file ? '-' : a));
    const list = `${open.host}/open/a:1\n${secure.host}/secure/b:1\n`;
    const run = await bmpack(args, { input: list });
    ok(run);
    expect(jsonOf(run).images).to.equal(2);
    const both = await bmpack([...args, '--username', `${secure.host}=u`, '--password-stdin'], {
      input: list,
    });
    expect(both.code, why(both)).to.equal(2);
    expect(errorOf(both).message).to.contain('--manifest -');
  });
});
