import type { BlobChunks } from './blob-chunks.js';

/** The same pieces, each reported to `onBytes` as it passes (progress). */
export async function* countedChunks(
  chunks: BlobChunks,
  onBytes?: (n: number) => void,
): BlobChunks {
  for await (const c of chunks) {
    onBytes?.(c.length);
    yield c;
  }
}
