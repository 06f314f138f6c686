/**
 * A byte range of a blob's pieces, for stores that can only read a blob
 * from its start: the pieces before the range are dropped and reading
 * stops (the source's `return()`) as soon as the range is complete.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import type { ByteRange } from './image-source.js';

export async function* sliceChunks(chunks: BlobChunks, range: ByteRange): BlobChunks {
  let at = 0;
  try {
    for await (const chunk of chunks) {
      const from = Math.max(range.start - at, 0);
      const to = Math.min(range.end - at, chunk.length);
      at += chunk.length;
      if (to > from) yield chunk.subarray(from, to);
      if (at >= range.end) return;
    }
  } finally {
    await chunks.return();
  }
}
