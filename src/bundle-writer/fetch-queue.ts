/**
 * Fetching overlaps writing: once the plan is known, the blobs missing
 * from the cache are fetched in the order the bundle writes them, and the
 * writer waits for each blob only when it reaches it.
 */
import type pLimit from 'p-limit';
import type { BlobCache } from '../cache/blob-cache.js';
import type { ProgressListener } from '../events.js';
import type { BlobFetcher, FetchOutcome } from './blob-fetcher.js';
import type { BundleBlob, ResolvedImage } from './image-closure.js';

export interface MissingBlob {
  readonly image: ResolvedImage;
  readonly blob: BundleBlob;
}

/** Configs and layers the bundle holds that the cache lacks (a delta's base supplies the rest). */
export async function findMissing(
  images: readonly ResolvedImage[],
  cache: BlobCache,
  inBase: ReadonlySet<string>,
): Promise<Map<string, MissingBlob>> {
  const wanted = new Map<string, MissingBlob>();
  for (const image of images) {
    for (const blob of image.blobs)
      if (!wanted.has(blob.digest) && !inBase.has(blob.digest))
        wanted.set(blob.digest, { image, blob });
  }
  const missing = new Map<string, MissingBlob>();
  for (const [digest, w] of wanted) if (!(await cache.has(w.blob))) missing.set(digest, w);
  return missing;
}

/**
 * Queue every missing blob, in `order` (the bundle's blob order), on the
 * concurrency limit. The returned promises are already handled, so a
 * failure the writer never reaches is not an unhandled rejection.
 */
export function startFetches(
  missing: ReadonlyMap<string, MissingBlob>,
  order: readonly string[],
  fetcher: BlobFetcher,
  limit: ReturnType<typeof pLimit>,
  onEvent?: ProgressListener,
): Map<string, Promise<FetchOutcome>> {
  onEvent?.({ type: 'phase', phase: 'fetch' });
  onEvent?.({
    type: 'bytes-total',
    phase: 'fetch',
    total: [...missing.values()].reduce((s, w) => s + w.blob.size, 0),
  });
  const pending = new Map<string, Promise<FetchOutcome>>();
  for (const digest of order) {
    const w = missing.get(digest);
    if (w === undefined) continue;
    const p = limit(() => fetcher.ensure(w.image, w.blob));
    p.catch(() => undefined);
    pending.set(digest, p);
  }
  return pending;
}
