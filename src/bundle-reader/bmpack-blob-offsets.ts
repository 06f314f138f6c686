/**
 * Where each blob of a bmpack bundle sits in its tar, from bmpack.json alone
 * (docs/bundle-format.md §1): every header is one 512-byte block, the first
 * blob's header follows `blobs/sha256/`, and each next one starts `512 +
 * size` rounded up to 512 bytes later. Pure.
 */
import { type BundleBlobRecord, tarBlockSize, tarPadding } from '../bundle-format/index.js';

export interface BlobPlacement {
  readonly digest: string;
  readonly size: number;
  /** Offset of the blob's tar header. */
  readonly headerOffset: number;
  /** The path its header must carry. */
  readonly path: string;
}

export interface BlobLayout {
  readonly placements: ReadonlyMap<string, BlobPlacement>;
  /** Offset just past the last blob (where the end-of-archive marker starts). */
  readonly end: number;
}

/**
 * Placements of `blobs` from `firstHeader`, or undefined when a layout of one
 * header per blob cannot hold them: a digest other than sha256 (its path
 * would not fit a ustar name field) or a digest listed twice.
 */
export function placeBlobs(
  blobs: readonly BundleBlobRecord[],
  firstHeader: number,
): BlobLayout | undefined {
  const placements = new Map<string, BlobPlacement>();
  let at = firstHeader;
  for (const b of blobs) {
    if (!b.digest.startsWith('sha256:') || placements.has(b.digest)) return undefined;
    placements.set(b.digest, {
      digest: b.digest,
      size: b.size,
      headerOffset: at,
      path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`,
    });
    at += tarBlockSize + b.size + tarPadding(b.size);
  }
  return { placements, end: at };
}
