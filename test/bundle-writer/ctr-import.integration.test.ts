import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { imageDigests, startContainerd, type RunningContainerd } from '../mirror/containerd-rig.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';

describe('bundle create output read by ctr import', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let containerd: RunningContainerd;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;

  before(async () => {
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg);
    work = await writeImageSet(release.images.map((i) => i.ref));
    containerd = await startContainerd();
  });
  after(async () => {
    await containerd.stop();
    await work.cleanup();
    await reg.stop();
  });

  it('imports every image of a plain-tar bundle under its full name with its digest', async () => {
    const bundle = await createBundle({
      manifests: [work.file],
      output: join(work.dir, 'b.tar'),
      cacheDir: join(work.dir, 'c'),
      insecureRegistries: [reg.host],
      env: {},
    });
    await containerd.ctr(['images', 'import', '--all-platforms', '--no-unpack', bundle.output]);
    const digests = await imageDigests(containerd);
    for (const img of release.images)
      expect(digests.get(img.ref), img.ref).to.equal(img.item.manifestDigest);
  });
});
