/**
 * Push reads a bundle's blobs into recycled buffers (src/fs/read-buffers.ts)
 * and gives each back once the socket has sent it. Large blobs, several at
 * once, are where a buffer given back too early would be read into while
 * its bytes still wait on a socket: distribution checks every digest, so
 * such a push fails.
 */
import { expect } from 'chai';
import { pushImages } from '../../src/push/push-images.js';
import { makeImage } from '../rig/image-generator.js';
import { bundleImageSet, writeImageSet } from '../rig/release-fixture.js';
import { digestAt } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';

describe('push images: large blobs, several at once', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let work: Awaited<ReturnType<typeof writeImageSet>>;

  before(async () => {
    source = await startRegistry('anonymous');
    target = await startRegistry('anonymous');
  });
  after(async () => {
    await work.cleanup();
    await target.stop();
    await source.stop();
  });

  it('every blob arrives whole: the registry takes each digest and every image has its digest', async () => {
    const refs: string[] = [];
    const digests = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      const image = makeImage({
        seed: 300 + i,
        layers: 2,
        layerSize: 12 * 1024 * 1024,
        format: 'oci',
      });
      await seedImage(source, image, `big/app-${i}:1`);
      refs.push(`${source.host}/big/app-${i}:1`);
      digests.set(`big/app-${i}`, image.manifestDigest);
    }
    work = await writeImageSet(refs);
    const bundle = await bundleImageSet(source, work, 'large.tar.xz');
    const result = await pushImages({
      source: bundle,
      privateRegistry: `${target.host}/mirror`,
      host: { plainHttp: true },
    });
    expect(result.images).to.equal(4);
    for (const [repo, digest] of digests)
      expect(await digestAt(target, `mirror/${repo}:1`)).to.equal(digest);
  });
});
