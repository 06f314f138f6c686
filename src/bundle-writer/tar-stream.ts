/**
 * The bytes of the planned tar, in order: headers, contents (from memory or
 * from a blob store — the blob cache, or the bundles a merge reads — each
 * blob re-verified as it passes), padding, and the end-of-archive marker.
 */
import { BlobCache } from '../cache/blob-cache.js';
import { ContentVerifier } from '../content/verifier.js';
import { BmpackError } from '../errors.js';
import type { BundlePlan, PlannedEntry } from './bundle-plan.js';
import { encodeTarHeader, tarPadding, tarTrailerSize } from '../bundle-format/index.js';

export type BlobReady = (digest: string) => Promise<unknown> | undefined;

/** Where the writer reads blobs from. */
export interface WriterBlobs {
  open(digest: string, size: number): AsyncIterable<Uint8Array>;
  /** A blob failed its digest as it passed: the error to report (after any repair). */
  corrupt(digest: string, size: number, err: BmpackError): Promise<BmpackError>;
}

/** The blob cache as the writer's store: a corrupt cached copy is removed, to be fetched anew. */
export function cachedBlobs(cache: BlobCache): WriterBlobs {
  return {
    open: (digest) => cache.open(digest),
    corrupt: async (digest, size, err) => {
      await cache.verify({ digest, size }, 'cached blob');
      return new BmpackError(
        err.code,
        `the cached copy of blob ${digest} is corrupt (${err.message}); it was removed`,
        {
          hint: `Run the command again to fetch it anew. The cache is at ${cache.root}.`,
          cause: err,
        },
      );
    },
  };
}

export function writerBlobs(store: BlobCache | WriterBlobs): WriterBlobs {
  return store instanceof BlobCache ? cachedBlobs(store) : store;
}

export async function* tarBytes(
  plan: BundlePlan,
  cache: WriterBlobs,
  ready?: BlobReady,
): AsyncGenerator<Buffer> {
  for (const entry of plan.entries) {
    yield encodeTarHeader({
      path: entry.path,
      size: entry.type === 'file' ? entry.size : 0,
      type: entry.type,
      mtime: plan.mtime,
    });
    if (entry.type !== 'file') continue;
    yield* contents(entry, cache, ready);
    const pad = tarPadding(entry.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(tarTrailerSize);
}

async function* contents(
  entry: PlannedEntry,
  cache: WriterBlobs,
  ready?: BlobReady,
): AsyncGenerator<Buffer> {
  const source = entry.source;
  if (source.kind === 'bytes') {
    if (source.bytes.length > 0) yield source.bytes;
    return;
  }
  await ready?.(source.digest);
  const verifier = source.verify
    ? new ContentVerifier(
        { digest: source.digest, size: entry.size },
        `cached blob ${source.digest}`,
      )
    : undefined;
  try {
    for await (const chunk of cache.open(source.digest, entry.size)) {
      const buf = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      verifier?.update(buf);
      yield buf;
    }
    verifier?.finish();
  } catch (err) {
    if (
      err instanceof BmpackError &&
      (err.code === 'E_DIGEST_MISMATCH' || err.code === 'E_SIZE_MISMATCH')
    ) {
      throw await cache.corrupt(source.digest, entry.size, err);
    }
    throw err;
  }
}
