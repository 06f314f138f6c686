import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { bundleImageSet, writeImageSet } from '../rig/release-fixture.js';
import { pushImages } from '../../src/push/push-images.js';
import { checkMirror } from '../../src/mirror/index.js';
import { requireTool } from '../rig/tools.js';
import { writeDockerLogin } from './mirror-kit.js';

/**
 * podman 4.3 (Debian) reads the registries.conf drop-in that `mirror config
 * --runtime podman` writes as its whole registries.conf
 * (CONTAINERS_REGISTRIES_CONF), the tree's auth.json (REGISTRY_AUTH_FILE)
 * and the CA the tree puts under containers/certs.d/HOST:PORT (--cert-dir),
 * and pulls the public name from the namespaced mirror: the prefix
 * docker.io is replaced by HOST:PORT/ns. Storage is vfs under a temp root,
 * so nothing of the machine's podman is touched.
 */
describe('mirror: podman pulls through the generated registries.conf', function () {
  this.timeout(180_000);
  let work: TrackedDir;

  before(async () => {
    work = await makeTempDir('bmpack-mirror-podman-');
  });
  after(async () => {
    await work.stop();
  });

  async function podman(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
    const bin = requireTool('podman', 'podman');
    const store = [
      '--root',
      join(work.path, 'storage'),
      '--runroot',
      join(work.path, 'run'),
      '--tmpdir',
      join(work.path, 'tmp'),
      '--storage-driver',
      'vfs',
      '--events-backend',
      'file',
      '--cgroup-manager',
      'cgroupfs',
    ];
    const out = await runTool(bin, [...store, ...args], {
      env: { ...process.env, ...env },
      timeoutMs: 120_000,
    });
    return out.toString('utf8').trim();
  }

  it('pulls docker.io/library/nginx:1.0 from a TLS, htpasswd, namespaced mirror', async () => {
    const reg = await startRegistry('htpasswd');
    try {
      const image = makeImage({ seed: 1802, layers: 2, layerSize: 2000, format: 'oci' });
      await seedImage(reg, image, 'ns/library/nginx:1.0');
      const dockerConfig = await writeDockerLogin(work.path, reg);
      const tree = join(work.path, 'tree');
      await mirrorRuntimeConfig({
        privateRegistry: `${reg.host}/ns`,
        runtime: 'podman',
        hosts: ['docker.io'],
        caCert: reg.caFile!,
        pullCredentialConfig: dockerConfig,
        output: tree,
        nodeRoot: tree,
      });
      const env = {
        CONTAINERS_REGISTRIES_CONF: join(
          tree,
          'etc/containers/registries.conf.d/50-bmpack-mirror.conf',
        ),
        REGISTRY_AUTH_FILE: join(tree, 'etc/containers/bmpack-mirror-auth.json'),
      };
      const certDir = join(tree, 'etc/containers/certs.d', reg.host);
      await podman(['pull', '--quiet', '--cert-dir', certDir, 'docker.io/library/nginx:1.0'], env);
      const digest = await podman(
        ['image', 'inspect', '--format', '{{.Digest}}', 'docker.io/library/nginx:1.0'],
        env,
      );
      expect(digest).to.equal(image.manifestDigest);
    } finally {
      await reg.stop();
    }
  });

  it('pulls an image that push folded (--max-nested-paths) from where push put it, with the source registry gone', async () => {
    const source = await startRegistry('anonymous');
    const target = await startRegistry('anonymous');
    try {
      const image = makeImage({ seed: 1803, layers: 1, layerSize: 2000, format: 'oci' });
      await seedImage(source, image, 'team/tools/app:1');
      const set = await writeImageSet([`${source.host}/team/tools/app:1`]);
      const bundle = await bundleImageSet(source, set, 'b.tar.xz');
      const paths = { rules: [], maxDepth: 2 };
      await pushImages({
        source: bundle,
        privateRegistry: `${target.host}/ns`,
        host: { plainHttp: true },
        paths,
      });
      const tree = join(work.path, 'folded');
      await mirrorRuntimeConfig({
        privateRegistry: `${target.host}/ns`,
        runtime: 'podman',
        source: bundle,
        plainHttp: true,
        paths,
        output: tree,
        nodeRoot: tree,
      });
      const conf = join(tree, 'etc/containers/registries.conf.d/50-bmpack-mirror.conf');
      expect(await readFile(conf, 'utf8')).to.contain(
        `location = "${target.host}/ns/team-tools-app"`,
      );
      await source.stop();
      const env = { CONTAINERS_REGISTRIES_CONF: conf };
      const ref = `${source.host}/team/tools/app:1`;
      await podman(['pull', '--quiet', ref], env);
      expect(await podman(['image', 'inspect', '--format', '{{.Digest}}', ref], env)).to.equal(
        image.manifestDigest,
      );
      // mirror check reads the same tree as podman does, and finds each image where push put it.
      const report = await checkMirror({
        source: bundle,
        privateRegistry: `${target.host}/ns`,
        host: { plainHttp: true },
        paths,
        runtime: 'podman',
        config: tree,
      });
      expect(report.ok, JSON.stringify(report.config)).to.equal(true);
      expect(report.images.map((i) => i.status)).to.eql(['present']);
      await set.cleanup();
    } finally {
      await source.stop();
      await target.stop();
    }
  });
});
