/**
 * Issue 14, item 2: content that is not a container image — a Helm chart in
 * OCI form, an OCI 1.1 artifact, an index of artifacts — passes through
 * platform filters unchanged: bundled and pushed byte-identical, while the
 * images beside it are filtered.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import { makeGenericArtifact, makeHelmChart } from '../rig/artifact-generator.js';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { digestAt } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';

describe('artifacts through platform filters', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  const chart = makeHelmChart(71);
  const generic = makeGenericArtifact(72);
  const pair = makeIndex([makeGenericArtifact(73), makeGenericArtifact(74)], 'oci');
  const amd = makeImage({ seed: 75, layers: 1, layerSize: 1000, format: 'oci' });
  const arm = makeImage({
    seed: 76,
    layers: 1,
    layerSize: 1000,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const app = makeIndex([amd, arm], 'oci');
  const items = [
    { path: 'charts/app:1.0', item: chart },
    { path: 'artifacts/thing:1', item: generic },
    { path: 'artifacts/pair:1', item: pair },
    { path: 'images/app:1', item: app },
  ];

  before(async () => {
    [source, target] = await Promise.all([startRegistry('anonymous'), startRegistry('anonymous')]);
    for (const { path, item } of items) await seedImage(source, item, path);
  });
  after(async () => {
    await Promise.all([source.stop(), target.stop()]);
  });

  it('bundles a Helm chart, an artifact and an index of artifacts whole under --platform, and pushes them byte-identical', async () => {
    const work = await writeImageSet(items.map((i) => `${source.host}/${i.path}`));
    try {
      const bundle = await createBundle({
        manifests: [work.file],
        output: join(work.dir, 'b.tar.xz'),
        cacheDir: join(work.dir, 'cache'),
        insecureRegistries: [source.host],
        platforms: [{ os: 'linux', architecture: 'amd64' }],
        env: {},
      });
      await pushImages({
        source: bundle.output,
        privateRegistry: `${target.host}/m`,
        host: { plainHttp: true },
      });
      for (const { path, item } of items.slice(0, 3))
        expect(await digestAt(target, `m/${path}`), path).to.equal(item.manifestDigest);
      // The image beside them is filtered: a new index with amd64 only.
      const filtered = await digestAt(target, 'm/images/app:1');
      expect(filtered).to.be.a('string').and.not.equal(app.manifestDigest);
    } finally {
      await work.cleanup();
    }
  });
});
