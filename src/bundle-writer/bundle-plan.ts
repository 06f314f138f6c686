/**
 * The whole bundle, decided before a byte is written: entries in tar order
 * with their offsets, the metadata documents, and the xz block boundaries.
 * Pure: same images in, same plan out.
 */
import {
  blobPath,
  type BundleBlobRecord,
  bundleFormat,
  type BundleImageRecord,
  type BundleMetadata,
  bundleMetadataFile,
  layoutIndex,
  layoutIndexFile,
  layoutJson,
  ociLayout,
  ociLayoutFile,
  tarEntrySpan,
  type TarEntryType,
  tarTrailerSize,
} from '../bundle-format/index.js';
import { closureSizes, type BundleBlob, type ResolvedImage } from './image-closure.js';

export type EntrySource =
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'blob'; readonly digest: string; readonly verify: boolean };

export interface PlannedEntry {
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  /** Offset of the entry's header in the tar. */
  readonly offset: number;
  readonly source: EntrySource;
}

export interface BundleInfo {
  readonly name: string;
  readonly version: string;
  readonly toolVersion: string;
  /** Seconds since the epoch: SOURCE_DATE_EPOCH, else 0. */
  readonly mtime: number;
  readonly created?: string;
  /** For a delta: the bundle whose configs and layers it leaves out. */
  readonly base?: BundleMetadata['base'];
}

export interface BundlePlan {
  readonly metadata: BundleMetadata;
  readonly entries: readonly PlannedEntry[];
  /** Uncompressed size of each xz block, in order; they sum to tarSize. */
  readonly blocks: readonly number[];
  readonly tarSize: number;
  readonly mtime: number;
  /** Configs and layers a delta leaves to its base (empty for a full bundle). */
  readonly omitted: readonly BundleBlobRecord[];
}

/** Blocks start at an entry once they hold this much… */
export const minBlockBytes = 1024 * 1024;
/** …and never grow beyond this. */
export const maxBlockBytes = 32 * 1024 * 1024;

const kindOrder = { index: 0, manifest: 1, config: 2, layer: 3 } as const;

/**
 * `verified`: digests whose cached copies were verified during this build
 * (just fetched); every other cached blob is re-hashed as it is written.
 * `omit`: for a delta, the blobs its base holds; configs and layers among
 * them are left out, while every manifest and index stays so that push can
 * plan from the delta alone. Totals then count only what the bundle holds.
 */
export function planBundle(
  images: readonly ResolvedImage[],
  info: BundleInfo,
  verified: ReadonlySet<string> = new Set(),
  omit: ReadonlySet<string> = new Set(),
): BundlePlan {
  const all = uniqueBlobs(images);
  const left = (b: BundleBlobRecord): boolean =>
    (b.kind === 'config' || b.kind === 'layer') && omit.has(b.digest);
  const blobs = all.filter((b) => !left(b));
  const held = new Set(blobs.map((b) => b.digest));
  const bytes = blobs.reduce((s, b) => s + b.size, 0);
  const imageRecords = images.map(imageRecord);
  const metadata: BundleMetadata = {
    format: bundleFormat,
    tool: { name: 'bmpack', version: info.toolVersion },
    name: info.name,
    version: info.version,
    ...(info.base !== undefined ? { base: info.base } : {}),
    ...(info.created !== undefined ? { created: info.created } : {}),
    images: imageRecords,
    blobs: blobs.map(({ digest, size, mediaType, kind }) => ({ digest, size, mediaType, kind })),
    totals: {
      images: images.length,
      blobs: blobs.length,
      bytes,
      dedupedBytes: images.reduce((s, i) => s + heldBytes(i, held), 0) - bytes,
    },
  };
  const documents = new Map(
    images.flatMap((i) => i.documents.map((d) => [d.digest, d.bytes] as const)),
  );
  const entries = layoutEntries(metadata, blobs, documents, verified);
  const last = entries.at(-1);
  const tarSize =
    (last ? last.offset + tarEntrySpan(last.type === 'file' ? last.size : 0) : 0) + tarTrailerSize;
  return {
    metadata,
    entries,
    blocks: planBlocks(entries, tarSize),
    tarSize,
    mtime: info.mtime,
    omitted: all.filter(left),
  };
}

/** Bytes of an image's closure that the bundle holds (its whole closure, unless a delta). */
function heldBytes(image: ResolvedImage, held: ReadonlySet<string>): number {
  let n = 0;
  for (const [digest, size] of closureSizes(image)) if (held.has(digest)) n += size;
  return n;
}

function uniqueBlobs(images: readonly ResolvedImage[]): BundleBlobRecord[] {
  const all = new Map<string, BundleBlobRecord>();
  for (const image of images) {
    for (const d of image.documents)
      all.set(d.digest, {
        digest: d.digest,
        size: d.bytes.length,
        mediaType: d.mediaType,
        kind: d.kind,
      });
    for (const b of image.blobs) if (!all.has(b.digest)) all.set(b.digest, recordOf(b));
  }
  return [...all.values()].sort(
    (a, b) =>
      kindOrder[a.kind] - kindOrder[b.kind] ||
      (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0),
  );
}

function recordOf(b: BundleBlob): BundleBlobRecord {
  return { digest: b.digest, size: b.size, mediaType: b.mediaType, kind: b.kind };
}

function imageRecord(image: ResolvedImage): BundleImageRecord {
  const bytes = [...closureSizes(image).values()].reduce((s, n) => s + n, 0);
  return {
    ref: image.reference,
    digest: image.top.digest,
    mediaType: image.top.mediaType,
    size: image.top.bytes.length,
    platforms: image.platforms,
    ...(image.originalIndexDigest !== undefined
      ? { originalIndexDigest: image.originalIndexDigest }
      : {}),
    bytes,
    ...(image.referrer !== undefined ? { referrer: image.referrer } : {}),
  };
}

function layoutEntries(
  metadata: BundleMetadata,
  blobs: readonly BundleBlobRecord[],
  documents: ReadonlyMap<string, Buffer>,
  verified: ReadonlySet<string>,
): PlannedEntry[] {
  const head: Array<Omit<PlannedEntry, 'offset'>> = [
    file(ociLayoutFile, ociLayout()),
    file(bundleMetadataFile, layoutJson(metadata)),
    file(layoutIndexFile, layoutIndex(metadata.images)),
    {
      path: 'blobs/',
      type: 'directory',
      size: 0,
      source: { kind: 'bytes', bytes: Buffer.alloc(0) },
    },
    {
      path: 'blobs/sha256/',
      type: 'directory',
      size: 0,
      source: { kind: 'bytes', bytes: Buffer.alloc(0) },
    },
  ];
  const tail = blobs.map((b): Omit<PlannedEntry, 'offset'> => {
    const bytes = documents.get(b.digest);
    const source: EntrySource =
      bytes !== undefined
        ? { kind: 'bytes', bytes }
        : { kind: 'blob', digest: b.digest, verify: !verified.has(b.digest) };
    return { path: blobPath(b.digest), type: 'file', size: b.size, source };
  });
  let offset = 0;
  return [...head, ...tail].map((e) => {
    const entry = { ...e, offset };
    offset += tarEntrySpan(e.type === 'file' ? e.size : 0);
    return entry;
  });
}

function file(path: string, bytes: Buffer): Omit<PlannedEntry, 'offset'> {
  return { path, type: 'file', size: bytes.length, source: { kind: 'bytes', bytes } };
}

/**
 * Cut the tar into xz blocks: the metadata entries share the first block;
 * a new block starts at an entry boundary once the current one holds
 * minBlockBytes, and before every entry of that size or more (so that a
 * large blob's bytes begin a block); a block never exceeds maxBlockBytes.
 */
export function planBlocks(entries: readonly PlannedEntry[], tarSize: number): number[] {
  const firstBlob = entries.find((e) => e.path.startsWith('blobs/') && e.type === 'file');
  const blocks: number[] = [];
  let start = 0;
  const cut = (at: number): void => {
    while (at - start > maxBlockBytes) {
      blocks.push(maxBlockBytes);
      start += maxBlockBytes;
    }
    if (at > start) {
      blocks.push(at - start);
      start = at;
    }
  };
  for (const e of entries) {
    if (e.offset === 0) continue;
    if (e === firstBlob || e.size >= minBlockBytes || e.offset - start >= minBlockBytes)
      cut(e.offset);
  }
  cut(tarSize);
  return blocks;
}
