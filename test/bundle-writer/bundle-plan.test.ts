import { expect } from 'chai';
import { maxBlockBytes, minBlockBytes, planBundle } from '../../src/bundle-writer/bundle-plan.js';
import type { ResolvedImage } from '../../src/bundle-writer/image-closure.js';
import { blobPath, tarEntrySpan } from '../../src/bundle-format/index.js';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;

function image(ref: string, manifest: string, layers: Array<[string, number]>): ResolvedImage {
  const bytes = Buffer.from(`{"manifest":"${manifest}"}`);
  const top = {
    digest: dg(manifest),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    kind: 'manifest' as const,
    bytes,
  };
  return {
    reference: ref,
    registry: 'r.io',
    repository: 'x',
    top,
    platforms: ['linux/amd64'],
    documents: [top],
    blobs: [
      {
        digest: dg('c'),
        size: 100,
        mediaType: 'application/vnd.oci.image.config.v1+json',
        kind: 'config',
      },
      ...layers.map(([d, size]) => ({
        digest: dg(d),
        size,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        kind: 'layer' as const,
      })),
    ],
  };
}

const info = { name: 'n', version: '1', toolVersion: '0.1.0', mtime: 0 };

describe('bundle plan', () => {
  const a = image('r.io/x:a', 'a', [
    ['1', 5000],
    ['2', 70 * 1024 * 1024],
  ]);
  const b = image('r.io/x:b', 'b', [
    ['1', 5000],
    ['3', 300],
  ]);
  const plan = planBundle([a, b], info);

  it('keeps each blob once and counts the dedupe saving', () => {
    expect(plan.metadata.totals.blobs).to.equal(6);
    const shared = 5000 + 100;
    expect(plan.metadata.totals.dedupedBytes).to.equal(shared);
  });

  it('puts metadata first, then blobs by kind and digest', () => {
    expect(plan.entries.slice(0, 5).map((e) => e.path)).to.deep.equal([
      'oci-layout',
      'bmpack.json',
      'index.json',
      'blobs/',
      'blobs/sha256/',
    ]);
    const kinds = plan.metadata.blobs.map((x) => x.kind);
    expect(kinds).to.deep.equal(['manifest', 'manifest', 'config', 'layer', 'layer', 'layer']);
    expect(plan.entries.slice(5).map((e) => e.path)).to.deep.equal(
      plan.metadata.blobs.map((x) => blobPath(x.digest)),
    );
  });

  it('places entries at offsets derivable from the metadata', () => {
    for (let i = 1; i < plan.entries.length; i++) {
      const prev = plan.entries[i - 1]!;
      expect(plan.entries[i]!.offset).to.equal(
        prev.offset + tarEntrySpan(prev.type === 'file' ? prev.size : 0),
      );
    }
  });

  it('cuts blocks that cover the tar, start a block at the first blob, and stay within bounds', () => {
    expect(plan.blocks.reduce((s, n) => s + n, 0)).to.equal(plan.tarSize);
    expect(Math.max(...plan.blocks)).to.be.at.most(maxBlockBytes);
    const starts = plan.blocks.reduce<number[]>((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], [0]);
    expect(starts).to.include(plan.entries[5]!.offset);
    const bigLayer = plan.entries.find((e) => e.size === 70 * 1024 * 1024)!;
    expect(starts).to.include(bigLayer.offset);
    const smallBlocks = plan.blocks.filter((n) => n < minBlockBytes);
    expect(smallBlocks.length).to.be.at.most(3); // metadata, the small blobs before the big layer, the tail
  });

  it('splits nothing when everything is small: metadata block, then one block of blobs', () => {
    const small = planBundle([image('r.io/x:s', 's', [['4', 10]])], info);
    expect(small.blocks).to.have.length(2);
    expect(small.blocks[0]).to.equal(small.entries[5]!.offset);
  });

  it('is the same for the same input, and names images by their full references', () => {
    const again = planBundle([a, b], info);
    expect(JSON.stringify(again.metadata)).to.equal(JSON.stringify(plan.metadata));
    expect(plan.metadata.images.map((i) => i.ref)).to.deep.equal(['r.io/x:a', 'r.io/x:b']);
  });
});

describe('delta: bundle plan with a base', () => {
  const a = image('r.io/x:a', 'a', [
    ['1', 5000],
    ['2', 700],
  ]);
  const b = image('r.io/x:b', 'b', [
    ['1', 5000],
    ['3', 300],
  ]);
  const base = { name: 'n', version: '0.9', sha256: 'f'.repeat(64) };
  // The base holds the config, layer 1, and manifest a (which a delta keeps all the same).
  const plan = planBundle(
    [a, b],
    { ...info, base },
    new Set(),
    new Set([dg('c'), dg('1'), dg('a')]),
  );

  it('leaves out the configs and layers the base holds, keeps every manifest, and records the base', () => {
    expect(plan.metadata.base).to.deep.equal(base);
    expect(plan.metadata.blobs.map((x) => x.digest)).to.deep.equal([
      dg('a'),
      dg('b'),
      dg('2'),
      dg('3'),
    ]);
    expect(plan.omitted.map((x) => x.digest)).to.deep.equal([dg('c'), dg('1')]);
    expect(
      plan.entries.filter((e) => e.path.startsWith('blobs/') && e.type === 'file'),
    ).to.have.length(4);
  });

  it('counts in its totals only what it holds; images keep their whole closures', () => {
    const docs = plan.metadata.blobs
      .filter((x) => x.kind === 'manifest')
      .reduce((s, x) => s + x.size, 0);
    expect(plan.metadata.totals).to.deep.equal({
      images: 2,
      blobs: 4,
      bytes: docs + 700 + 300,
      dedupedBytes: 0, // what the two images share (config, layer 1) is in the base
    });
    expect(plan.metadata.images.map((i) => i.bytes)).to.deep.equal(
      planBundle([a, b], info).metadata.images.map((i) => i.bytes),
    );
  });
});
