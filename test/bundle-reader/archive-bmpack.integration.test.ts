import { copyFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { readXzIndex } from '../../src/xz/index.js';
import { buildRelease, type writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { runTool } from '../rig/processes.js';
import type { RunningRegistry } from '../rig/registry.js';
import { checkAllBlobs, flipByte, readStream, sha256, tar, xz } from './archive-kit.js';
import { rejection } from '../rig/rejection.js';

describe('archive: bmpack bundles', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let xzBundle: string;
  let tarBundle: string;
  let metadata: BundleMetadata;

  before(async () => {
    ({ reg, release, work, xzBundle, tarBundle, metadata } = await buildRelease());
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
  });

  for (const [label, file] of [
    ['.tar.xz', () => xzBundle],
    ['.tar', () => tarBundle],
  ] as const) {
    it(`opens a ${label} bundle from its metadata: images, names and digests`, async () => {
      const source = await openBundleSource(file());
      try {
        expect(source.kind).to.equal('bmpack');
        expect(source.randomAccess).to.equal(true);
        expect(source.metadata).to.deep.equal(metadata);
        expect(source.images.map((i) => i.name)).to.deep.equal(release.images.map((i) => i.ref));
        expect(source.images.map((i) => i.descriptor.digest)).to.deep.equal(
          release.images.map((i) => i.item.manifestDigest),
        );
        expect(source.blobOrder).to.deep.equal(metadata.blobs.map((b) => b.digest));
        for (const [i, image] of release.images.entries()) {
          const top = await source.readDocument(source.images[i]!.descriptor.digest);
          expect(top.equals(image.item.manifest)).to.equal(true);
        }
        for (const b of metadata.blobs) expect(source.blobSize(b.digest)).to.equal(b.size);
      } finally {
        await source.close();
      }
    });

    it(`streams every blob of a ${label} bundle, six at a time, byte for byte`, async () => {
      const source = await openBundleSource(file());
      try {
        const total = await checkAllBlobs(source, 6);
        expect(total).to.equal(metadata.totals.bytes);
      } finally {
        await source.close();
      }
    });
  }

  it('reads only the first xz block to open: with every later block header damaged, open works and blob reads fail', async () => {
    const copy = join(work.dir, 'late-damage.tar.xz');
    await copyFile(xzBundle, copy);
    const index = await readXzIndex(copy);
    expect(index.blocks.length).to.be.greaterThan(2);
    // The Block Flags byte of every later block: its header's CRC32 no longer
    // matches, so even looking at such a block fails.
    for (const block of index.blocks.slice(1)) await flipByte(copy, block.compressedOffset + 1);
    const source = await openBundleSource(copy);
    try {
      expect(source.images).to.have.length(release.images.length);
      const err = await rejection(source.readDocument(source.images[0]!.descriptor.digest));
      expect(err.code).to.equal('E_XZ_INVALID');
      expect(err.message).to.contain(copy);
      const layer = metadata.blobs.at(-1)!.digest;
      const blobErr = await rejection(readStream(source.openBlob(layer)));
      expect(blobErr.code, blobErr.message).to.equal('E_XZ_INVALID');
    } finally {
      await source.close();
    }
    // A header damaged inside an xz block is reported as the block's damage.
    const header = join(work.dir, 'header-damage.tar.xz');
    await copyFile(xzBundle, header);
    const big = metadata.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    const nameAt = (await readFile(header)).indexOf(`blobs/sha256/${big.digest.slice(7)}\0`);
    expect(nameAt).to.be.greaterThan(0);
    await flipByte(header, nameAt + 30);
    const damaged = await openBundleSource(header);
    try {
      const err = await rejection(readStream(damaged.openBlob(big.digest)));
      expect(err.code, err.message).to.equal('E_XZ_INVALID');
    } finally {
      await damaged.close();
    }
    // Damage to the first block, by contrast, is found at once.
    const early = join(work.dir, 'early-damage.tar.xz');
    await copyFile(xzBundle, early);
    const first = index.blocks[0]!;
    await flipByte(early, first.compressedOffset + Math.floor(first.totalSize / 2));
    expect((await rejection(openBundleSource(early))).code).to.equal('E_XZ_INVALID');
  });

  it('checks the tar header at every computed offset before serving a blob', async () => {
    const copy = join(work.dir, 'moved.tar');
    await copyFile(tarBundle, copy);
    const layer = metadata.blobs.find((b) => b.kind === 'layer')!;
    const bytes = await readFile(copy);
    const headerAt = bytes.indexOf(`blobs/sha256/${layer.digest.slice(7)}\0`);
    expect(headerAt % 512).to.equal(0);
    await flipByte(copy, headerAt + 20);
    const source = await openBundleSource(copy);
    try {
      const err = await rejection(readStream(source.openBlob(layer.digest)));
      expect(err.code).to.equal('E_BUNDLE_INVALID');
      expect(err.message)
        .to.contain(layer.digest)
        .and.contain(copy)
        .and.contain(`byte ${headerAt}`);
      expect(err.details['blob']).to.equal(layer.digest);
      // The other blobs are unaffected.
      const other = metadata.blobs.find((b) => b.kind === 'config')!;
      expect(sha256(await readStream(source.openBlob(other.digest)))).to.equal(other.digest);
    } finally {
      await source.close();
    }
    const cut = join(work.dir, 'cut.tar');
    await copyFile(tarBundle, cut);
    await truncate(cut, bytes.length - 2000);
    const err = await rejection(openBundleSource(cut));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain(cut).and.contain('truncated');
  });

  it('scans a bundle re-packed by other tools: GNU tar (random access) and single-block xz (sequential)', async () => {
    const dir = join(work.dir, 'extracted');
    await mkdir(dir);
    await runTool(tar(), ['-xf', tarBundle, '-C', dir]);
    const repacked = join(work.dir, 'repacked.tar');
    await runTool(tar(), ['-cf', repacked, '-C', dir, '.']);
    const single = join(work.dir, 'single.tar.xz');
    await runTool('sh', ['-c', `${xz()} -c -T1 "${tarBundle}" > "${single}"`]);
    expect((await readXzIndex(single)).blocks).to.have.length(1);
    for (const [file, randomAccess] of [
      [repacked, true],
      [single, false],
    ] as const) {
      const source = await openBundleSource(file);
      try {
        expect(source.kind).to.equal('bmpack');
        expect(source.randomAccess).to.equal(randomAccess);
        expect(source.metadata).to.deep.equal(metadata);
        expect(source.images.map((i) => i.name)).to.deep.equal(release.images.map((i) => i.ref));
        expect(await checkAllBlobs(source)).to.equal(metadata.totals.bytes);
      } finally {
        await source.close();
      }
    }
  });
});
