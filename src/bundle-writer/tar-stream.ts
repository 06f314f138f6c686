/**
 * The bytes of the planned tar, in order: headers, contents (from memory or
 * from the blob cache, each blob re-verified as it passes), padding, and
 * the end-of-archive marker.
 */
import type { BlobCache } from '../cache/blob-cache.js';
import { ContentVerifier } from '../content/verifier.js';
import { BmpackError } from '../errors.js';
import type { BundlePlan, PlannedEntry } from './bundle-plan.js';
import { encodeTarHeader, tarPadding, tarTrailerSize } from '../bundle-format/index.js';

export type BlobReady = (digest: string) => Promise<unknown> | undefined;

export async function* tarBytes(
  plan: BundlePlan,
  cache: BlobCache,
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
  cache: BlobCache,
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
    for await (const chunk of cache.open(source.digest)) {
      const buf = chunk as Buffer;
      verifier?.update(buf);
      yield buf;
    }
    verifier?.finish();
  } catch (err) {
    if (
      err instanceof BmpackError &&
      (err.code === 'E_DIGEST_MISMATCH' || err.code === 'E_SIZE_MISMATCH')
    ) {
      await cache.verify({ digest: source.digest, size: entry.size }, 'cached blob');
      throw new BmpackError(
        err.code,
        `the cached copy of blob ${source.digest} is corrupt (${err.message}); it was removed`,
        {
          hint: `Run the command again to fetch it anew. The cache is at ${cache.root}.`,
          cause: err,
        },
      );
    }
    throw err;
  }
}
