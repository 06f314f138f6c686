import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import { makeImage } from '../rig/image-generator.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { bundleImageSet, writeImageSet } from '../rig/release-fixture.js';
import { pushImages } from '../../src/push/push-images.js';
import { checkMirror } from '../../src/mirror/index.js';
import { podmanIn, type Podman } from '../rig/podman.js';
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

  const podman: Podman = (args, env) => podmanIn(work.path)(args, env);

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

  it('pulls an image that push folded (--max-nested-paths) from where push put it, with the source registry gone; an image the mirror lacks from the fallback the config names', async () => {
    const source = await startRegistry('anonymous');
    const target = await startRegistry('anonymous');
    try {
      const image = makeImage({ seed: 1803, layers: 1, layerSize: 2000, format: 'oci' });
      const later = makeImage({ seed: 1804, layers: 1, layerSize: 2000, format: 'oci' });
      await seedImage(source, image, 'team/tools/app:1');
      await seedImage(source, later, 'team/later:1');
      await seedImage(source, later, 'later:1');
      const set = await writeImageSet([`${source.host}/team/tools/app:1`]);
      const bundle = await bundleImageSet(source, set, 'b.tar.xz');
      // A later release that adds images this site has not pushed yet: later keeps its path
      // under the mapping, team/later would be folded to ns/team-later.
      const laterSet = await writeImageSet([
        `${source.host}/team/tools/app:1`,
        `${source.host}/later:1`,
        `${source.host}/team/later:1`,
      ]);
      const laterBundle = await bundleImageSet(source, laterSet, 'later.tar.xz');
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
      const env = { CONTAINERS_REGISTRIES_CONF: conf };
      const check = (bundleFile: string) =>
        checkMirror({
          source: bundleFile,
          privateRegistry: `${target.host}/ns`,
          host: { plainHttp: true },
          paths,
          runtime: 'podman',
          config: tree,
        });

      // The fallback: team/later is not at the mirror, so podman takes the [[registry]]'s own
      // location, the source registry (plain HTTP here, hence --tls-verify=false).
      const laterRef = `${source.host}/team/later:1`;
      await podman(['pull', '--quiet', '--tls-verify=false', laterRef], env);
      expect(await podman(['image', 'inspect', '--format', '{{.Digest}}', laterRef], env)).to.equal(
        later.manifestDigest,
      );
      // mirror check says the same of the later bundle: both missing at the mirror, each asked
      // at the path the config gives, then the fallback podman used; the config, written for the
      // earlier bundle, has no entry for team/later, which a push would fold: wrong until rewritten.
      const laterReport = await check(laterBundle);
      expect(laterReport.images.map((i) => [i.ref, i.status])).to.eql([
        [`${source.host}/team/tools/app:1`, 'present'],
        [`${source.host}/later:1`, 'missing'],
        [laterRef, 'missing'],
      ]);
      const pulls = laterReport.config?.images.map((i) => [i.status, i.asks, i.fallback]);
      expect(pulls?.slice(1)).to.eql([
        ['ok', `http://${target.host}/v2/ns/later/manifests/1`, `${source.host}/later`],
        [
          'wrong',
          `http://${target.host}/v2/ns/team/later/manifests/1`,
          `${source.host}/team/later`,
        ],
      ]);
      expect(laterReport.config?.images[2]?.problems.join()).to.include(
        `push put it at http://${target.host}/v2/ns/team-later/manifests/1`,
      );
      expect(laterReport.ok).to.equal(false);

      await source.stop();
      const ref = `${source.host}/team/tools/app:1`;
      await podman(['pull', '--quiet', ref], env);
      expect(await podman(['image', 'inspect', '--format', '{{.Digest}}', ref], env)).to.equal(
        image.manifestDigest,
      );
      // mirror check reads the same tree as podman does, and finds each image where push put it.
      const report = await check(bundle);
      expect(report.ok, JSON.stringify(report.config)).to.equal(true);
      expect(report.images.map((i) => i.status)).to.eql(['present']);
      await set.cleanup();
      await laterSet.cleanup();
    } finally {
      await source.stop();
      await target.stop();
    }
  });
});
