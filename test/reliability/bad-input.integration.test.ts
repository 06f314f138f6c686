import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { requireBuiltCli, runCli, type CliRun } from '../rig/cli.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { exitCodeFor } from '../../src/errors.js';
import { makeImage } from '../rig/image-generator.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { catalog, expectCleanFailure, expectJsonFailure, stackLine } from './cli-kit.js';

/**
 * Bad manifests, references, registries, credentials and certificates given
 * to the real CLI (`bundle create`, `push images`): each fails with its
 * category's exit code and an `Error [CODE]` naming the item at fault, with
 * a hint, without a stack trace (one appears with --debug), and leaves no
 * output file behind (nor any temporary one) and nothing in the target
 * registry.
 */
describe('reliability: bad input through the CLI', function () {
  this.timeout(180_000);
  let anon: RunningRegistry;
  let tls: RunningRegistry;
  let work: TrackedDir;
  let bundle: string;
  // tcpmux's port: nothing listens there, and no test's server can take it (it is privileged).
  const deadHost = '127.0.0.1:1';
  let n = 0;

  before(async () => {
    requireBuiltCli();
    work = await makeTempDir('bmpack-bad-input-');
    anon = await startRegistry('anonymous');
    tls = await startRegistry('htpasswd');
    await seedImage(
      anon,
      makeImage({ seed: 801, layers: 1, layerSize: 5000, format: 'oci' }),
      'bad/app:1',
    );
    await seedImage(
      tls,
      makeImage({ seed: 802, layers: 1, layerSize: 5000, format: 'oci' }),
      'bad/app:1',
    );
    const list = join(work.path, 'good.txt');
    await writeFile(list, `${anon.host}/bad/app:1\n`);
    bundle = (
      await createBundle({
        manifests: [list],
        output: join(work.path, 'good.tar.xz'),
        cacheDir: join(work.path, 'cache'),
        insecureRegistries: [anon.host],
        env: {},
      })
    ).output;
  });
  after(async () => {
    await anon.stop();
    await tls.stop();
    await work.stop();
  });

  interface CreateCase {
    /** The manifest's text (an ImageSet or a plain list). */
    readonly manifest: string;
    readonly args?: readonly string[];
  }

  /**
   * Runs `bundle create` from a fresh working folder that holds only the
   * manifest, with the output named there and a cache folder beside it.
   * Afterwards the folder holds the manifest (and the cache) and nothing else.
   */
  async function create(c: CreateCase): Promise<CliRun & { file: string }> {
    const dir = join(work.path, `create-${++n}`);
    await mkdir(dir);
    const file = join(dir, 'release.yaml');
    await writeFile(file, c.manifest);
    const run = await runCli(
      [
        'bundle',
        'create',
        '--manifest',
        file,
        '--cache-dir',
        join(dir, 'cache'),
        '--output',
        join(dir, 'out.tar.xz'),
        ...(c.args ?? []),
      ],
      { cwd: dir, env: { DOCKER_CONFIG: join(dir, 'no-docker-config') } },
    );
    const left = (await readdir(dir)).filter((name) => name !== 'release.yaml' && name !== 'cache');
    expect(left, `files left by ${run.argv}`).to.deep.equal([]);
    return { ...run, file };
  }

  const imageSet = (...images: string[]): string =>
    [
      'apiVersion: bmpack.io/v1',
      'kind: ImageSet',
      'metadata:',
      '  name: bad-input',
      '  version: 1.0.0',
      'spec:',
      '  images:',
      ...images.map((i) => `    - ${i}`),
      '',
    ].join('\n');

  describe('bundle create', () => {
    it('refuses invalid YAML, naming the file and the line', async () => {
      const run = await create({ manifest: imageSet('"unclosed').replace('"unclosed', '[a, b') });
      expectCleanFailure(run, 'E_IMAGESET_INVALID', [`${run.file}:`, 'invalid YAML']);
      expect(run.stderr).to.match(/release\.yaml:\d+:/);
    });

    it('refuses an invalid reference, naming it, the file and the line', async () => {
      const run = await create({ manifest: imageSet(`${anon.host}/Bad//Ref:1`) });
      expectCleanFailure(run, 'E_IMAGESET_INVALID', [`${run.file}:8:`, 'Bad//Ref:1']);
    });

    it('refuses a manifest that is not an image list at all', async () => {
      const run = await create({ manifest: 'kind: Deployment\nspec: {replicas: 3}\n' });
      expectCleanFailure(run, 'E_IMAGESET_INVALID', [run.file]);
    });

    it('reports an unknown tag as E_NOT_FOUND naming the image; --debug adds the stack trace', async () => {
      const ref = `${anon.host}/bad/app:nope`;
      const c = { manifest: imageSet(ref), args: ['--insecure-registry', anon.host] };
      const run = await create(c);
      expectCleanFailure(run, 'E_NOT_FOUND', ['bad/app:nope']);
      const debug = await create({ ...c, args: [...c.args, '--debug'] });
      expect(debug.code).to.equal(run.code);
      expect(debug.stderr).to.contain('Error [E_NOT_FOUND]').and.match(stackLine);
      const json = await create({ ...c, args: [...c.args, '--json'] });
      expect(expectJsonFailure(json, 'E_NOT_FOUND').message).to.contain('bad/app:nope');
    });

    it('reports an unreachable registry as E_NETWORK naming the host', async () => {
      const run = await create({
        manifest: imageSet(`${deadHost}/bad/app:1`),
        args: ['--insecure-registry', deadHost],
      });
      expectCleanFailure(run, 'E_NETWORK', [deadHost]);
    });

    it('reports wrong credentials (from a Docker config) as E_UNAUTHORIZED naming the host', async () => {
      const config = join(work.path, 'wrong-auth.json');
      const auth = Buffer.from(`${tls.username!}:not-the-password`).toString('base64');
      await writeFile(config, JSON.stringify({ auths: { [tls.host]: { auth } } }));
      const run = await create({
        manifest: imageSet(`${tls.host}/bad/app:1`),
        args: ['--insecure-registry', tls.host, '--docker-config', config],
      });
      expectCleanFailure(run, 'E_UNAUTHORIZED', [tls.host]);
      expect(run.stdout + run.stderr)
        .to.not.contain('not-the-password')
        .and.not.contain(auth);
    });

    it('reports a registry certificate from an unknown CA as E_TLS, with a hint this command takes', async () => {
      const run = await create({ manifest: imageSet(`${tls.host}/bad/app:1`) });
      expectCleanFailure(run, 'E_TLS', [tls.host]);
      const hint = /^Hint: (.*)$/m.exec(run.stderr)?.[1] ?? '';
      expect(hint).to.contain('--insecure-registry');
      // Every flag the hint names exists on bundle create.
      const help = await runCli(['bundle', 'create', '--help'], { cwd: work.path });
      for (const flag of hint.match(/--[a-z-]+/g) ?? []) expect(help.stdout).to.contain(flag);
      // …and following it works: the CA through NODE_EXTRA_CA_CERTS, the right credentials.
      const config = join(work.path, 'right-auth.json');
      const auth = Buffer.from(`${tls.username!}:${tls.password!}`).toString('base64');
      await writeFile(config, JSON.stringify({ auths: { [tls.host]: { auth } } }));
      const dir = join(work.path, `create-${++n}`);
      await mkdir(dir);
      await writeFile(join(dir, 'release.yaml'), imageSet(`${tls.host}/bad/app:1`));
      const ok = await runCli(
        [
          'bundle',
          'create',
          '--manifest',
          join(dir, 'release.yaml'),
          '--docker-config',
          config,
          '--cache-dir',
          join(dir, 'cache'),
        ],
        { cwd: dir, env: { NODE_EXTRA_CA_CERTS: tls.caFile! } },
      );
      expect(ok.code, ok.stderr).to.equal(0);
    });
  });

  describe('push images', () => {
    /** Runs push from a fresh, empty folder, which stays empty. */
    async function push(args: readonly string[], input?: string): Promise<CliRun> {
      const dir = join(work.path, `push-${++n}`);
      await mkdir(dir);
      const run = await runCli(['push', 'images', '--source', bundle, ...args], {
        cwd: dir,
        env: { DOCKER_CONFIG: join(dir, 'no-docker-config') },
        ...(input !== undefined ? { input } : {}),
      });
      expect(await readdir(dir), `files left by ${run.argv}`).to.deep.equal([]);
      return run;
    }
    const anonymous = ['--plain-http', '--need-credential=false'];

    it('refuses an invalid --private-registry, naming it', async () => {
      const run = await push(['--private-registry', 'Not A Host:5000/ns', ...anonymous]);
      expectCleanFailure(run, 'E_USAGE', ['Not A Host:5000/ns']);
    });

    it('refuses a --source (or a bundle argument) that does not exist as E_USAGE, naming it', async () => {
      const missing = join(work.path, 'missing.tar.xz');
      const dir = join(work.path, `push-${++n}`);
      await mkdir(dir);
      const run = await runCli(
        ['push', 'images', '--source', missing, '--private-registry', anon.host, ...anonymous],
        { cwd: dir },
      );
      expectCleanFailure(run, 'E_USAGE', ['--source', missing]);
      const inspect = await runCli(['bundle', 'inspect', missing], { cwd: dir });
      expectCleanFailure(inspect, 'E_USAGE', [missing]);
      expectJsonFailure(
        await runCli(['bundle', 'verify', missing, '--json'], { cwd: dir }),
        'E_USAGE',
      );
    });

    it('reports an unreachable registry as E_NETWORK naming it; --debug adds the stack trace', async () => {
      const args = ['--private-registry', `${deadHost}/ns`, ...anonymous];
      const run = await push(args);
      expectCleanFailure(run, 'E_NETWORK', [deadHost]);
      const debug = await push([...args, '--debug']);
      expect(debug.code).to.equal(run.code);
      expect(debug.stderr).to.contain('Error [E_NETWORK]').and.match(stackLine);
      expectJsonFailure(await push([...args, '--json']), 'E_NETWORK');
    });

    it('reports wrong credentials as E_UNAUTHORIZED naming the registry, and tags nothing', async () => {
      const run = await push(
        [
          '--private-registry',
          `${tls.host}/wrong`,
          '--cacert',
          tls.caFile!,
          '--username',
          tls.username!,
          '--password-stdin',
        ],
        'not-the-password\n',
      );
      expectCleanFailure(run, 'E_UNAUTHORIZED', [tls.host]);
      expect(run.stdout + run.stderr).to.not.contain('not-the-password');
      expect((await catalog(tls)).filter((r) => r.startsWith('wrong/'))).to.deep.equal([]);
    });

    it('reports a certificate from an unknown CA as E_TLS with a hint at --cacert, and tags nothing', async () => {
      const run = await push(
        [
          '--private-registry',
          `${tls.host}/unknown-ca`,
          '--username',
          tls.username!,
          '--password-stdin',
        ],
        `${tls.password!}\n`,
      );
      expectCleanFailure(run, 'E_TLS', [tls.host, '--cacert']);
      expect((await catalog(tls)).filter((r) => r.startsWith('unknown-ca/'))).to.deep.equal([]);
    });

    it('reports --plain-http against a TLS registry with a hint and without a stack trace', async () => {
      const run = await push(['--private-registry', `${tls.host}/ns`, ...anonymous]);
      expect(run.code).to.be.oneOf(
        (['E_NETWORK', 'E_REGISTRY', 'E_TLS'] as const).map(exitCodeFor),
      );
      expect(run.stderr)
        .to.contain(tls.host)
        .and.match(/^Hint: /m)
        .and.not.match(stackLine);
    });
  });
});
