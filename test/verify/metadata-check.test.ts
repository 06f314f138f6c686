import { expect } from 'chai';
import type { SourceImage } from '../../src/bundle-reader/index.js';
import { placeBlobs } from '../../src/bundle-reader/bmpack-blob-offsets.js';
import { planBundle } from '../../src/bundle-writer/bundle-plan.js';
import type { ResolvedImage } from '../../src/bundle-writer/image-closure.js';
import type { GraphItem } from '../../src/graph/index.js';
import { checkMetadata, type StoredBlob } from '../../src/verify/metadata-check.js';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;
const manifestType = 'application/vnd.oci.image.manifest.v1+json';

const image: ResolvedImage = {
  reference: 'r.io/x:a',
  registry: 'r.io',
  repository: 'x',
  top: { digest: dg('a'), mediaType: manifestType, kind: 'manifest', bytes: Buffer.from('{}') },
  platforms: ['linux/amd64'],
  documents: [
    { digest: dg('a'), mediaType: manifestType, kind: 'manifest', bytes: Buffer.from('{}') },
  ],
  blobs: [
    {
      digest: dg('c'),
      size: 100,
      mediaType: 'application/vnd.oci.image.config.v1+json',
      kind: 'config',
    },
    {
      digest: dg('1'),
      size: 5000,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      kind: 'layer',
    },
  ],
};
const plan = planBundle([image], { name: 'n', version: '1', toolVersion: 't', mtime: 0 });
const metadata = plan.metadata;
const placed = placeBlobs(metadata.blobs, plan.entries[5]!.offset)!;
const stored = new Map<string, StoredBlob>(
  [...placed.placements.values()].map((p) => [
    p.digest,
    { size: p.size, dataOffset: p.headerOffset + 512, headerPath: p.path },
  ]),
);
const images: SourceImage[] = [
  { name: 'r.io/x:a', descriptor: { digest: dg('a'), mediaType: manifestType, size: 2 } },
];
const items: GraphItem[] = [
  { digest: dg('a'), size: 2, mediaType: manifestType, kind: 'manifest' },
  { digest: dg('c'), size: 100, mediaType: '', kind: 'config' },
  { digest: dg('1'), size: 5000, mediaType: '', kind: 'layer' },
];
const input = {
  metadata,
  images,
  stored,
  tarSize: plan.tarSize,
  closures: [{ ref: 'r.io/x:a', items, whole: true }],
};

describe('bundle verify: bmpack.json against index.json and the tar', () => {
  it('finds nothing wrong with what bmpack wrote', () => {
    expect(checkMetadata(input)).to.deep.equal([]);
  });

  it('names the image whose media type or size differs from index.json', () => {
    const other = [
      { ...images[0]!, descriptor: { ...images[0]!.descriptor, mediaType: 'x/y', size: 3 } },
    ];
    const found = checkMetadata({ ...input, images: other });
    expect(found.map((p) => p.message)).to.deep.equal([
      `bmpack.json: image r.io/x:a: media type ${manifestType}, index.json x/y`,
      'bmpack.json: image r.io/x:a: size 2, index.json 3',
    ]);
    expect(found[0]).to.include({ code: 'E_BUNDLE_INVALID', blob: dg('a') });
  });

  it('finds blobs listed but not in the tar, in the tar but not listed, and data after the last blob', () => {
    const fewer = new Map(stored);
    fewer.delete(dg('1'));
    const extra = new Map(stored).set(dg('9'), { size: 1, dataOffset: 1 });
    expect(checkMetadata({ ...input, stored: fewer }).map((p) => p.blob)).to.include(dg('1'));
    expect(checkMetadata({ ...input, stored: extra }).map((p) => p.blob)).to.include(dg('9'));
    const longer = checkMetadata({ ...input, tarSize: plan.tarSize + 512 });
    expect(longer).to.have.length(1);
    expect(longer[0]!.message).to.contain('should end at');
  });

  it('checks closure sizes and totals', () => {
    const bigger = [
      { ref: 'r.io/x:a', items: [...items, { ...items[2]!, digest: dg('2') }], whole: true },
    ];
    const found = checkMetadata({ ...input, closures: bigger });
    expect(found.map((p) => p.message)).to.deep.equal([
      `bmpack.json: image r.io/x:a: closure of ${metadata.images[0]!.bytes} bytes, its manifests add up to ${metadata.images[0]!.bytes + 5000}`,
    ]);
    const totals = { ...metadata.totals, bytes: 1 };
    expect(checkMetadata({ ...input, metadata: { ...metadata, totals } })).to.have.length(1);
  });
});
