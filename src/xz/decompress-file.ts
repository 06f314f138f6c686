/**
 * Sequential decoding of a whole .xz file from any encoder. The Indexes are
 * read first (readXzIndex), then every Block of every Stream is decoded in
 * order by the same code as random access (block-decoder.ts): stored Blocks
 * directly, LZMA Blocks through xz-decompress, one Block at a time, with
 * every Check verified here. Going Block by Block rather than handing the
 * whole file to xz-decompress makes SHA-256 checks work (its build refuses
 * them with XZ_OPTIONS_ERROR), passes our stored Blocks through without the
 * WebAssembly copy, and leaves one place that verifies Blocks.
 */
import { Readable } from 'node:stream';
import { readXzIndex } from './read-index.js';
import { xzRangeChunks } from './range-reader.js';

async function* wholeFile(path: string): AsyncGenerator<Uint8Array> {
  const index = await readXzIndex(path);
  yield* xzRangeChunks(path, index, 0, index.uncompressedSize);
}

/**
 * A stream of the uncompressed content of the .xz file at `path`, in bounded
 * memory (about 1 MiB plus, for LZMA Blocks, the decoder's dictionary, at
 * most 64 MiB).
 *
 * The stream fails with BmpackError E_XZ_INVALID naming the file when it is
 * not .xz, truncated or corrupt, and E_IO when it cannot be read. Bytes
 * already delivered when a Check fails must be discarded by the consumer.
 */
export function decompressXzFile(path: string): Readable {
  return Readable.from(wholeFile(path), { objectMode: false, highWaterMark: 1024 * 1024 });
}
