/**
 * A blob into a content-addressed blob store (bmpack's cache, a layout's
 * blobs/ folder), as sinks over one store do it: one store serves every
 * repository, so a "mount" of a blob already there is done; anything else
 * is written, verified (unless the source already verifies), under a
 * temporary name and renamed.
 */
import { Readable } from 'node:stream';
import type { BlobCache } from '../cache/blob-cache.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import { countedChunks } from '../content/counted-chunks.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { PutBlobOptions, PutBlobResult } from './image-sink.js';

export async function putIntoStore(
  store: BlobCache,
  desc: Descriptor,
  open: () => BlobChunks,
  opts: PutBlobOptions & { readonly what: string },
): Promise<PutBlobResult> {
  if (opts.mountFrom !== undefined && (await store.has(desc))) return 'mounted';
  const stream = Readable.from(countedChunks(open(), opts.onBytes));
  await store.put(desc, stream, opts.what, opts.verified === true);
  return 'uploaded';
}
