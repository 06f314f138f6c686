/**
 * Random access into an .xz file: the uncompressed bytes of one range, read
 * from the Blocks that cover it and from nothing else (the Index says where
 * they are). Each stream opens its own file handle and reads at explicit
 * positions, so any number of them can run in parallel on one file.
 */
import { Readable } from 'node:stream';
import { BmpackError } from '../errors.js';
import { decodeBlock } from './block-decoder.js';
import { openXzFile } from './file-window.js';
import { xzInvalid } from './xz-errors.js';
import type { XzBlockInfo, XzIndex } from './xz-layout.js';

/** Read-ahead of the returned streams: bounded, one stored window's worth. */
const HIGH_WATER_MARK = 1024 * 1024;

/** Index of the first Block that holds byte `offset` (or later bytes), by binary search. */
function firstBlockAt(blocks: readonly XzBlockInfo[], offset: number): number {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const b = blocks[mid];
    if (b !== undefined && b.uncompressedOffset + b.uncompressedSize <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The uncompressed bytes [start, end) of the file, Block by Block. */
export async function* xzRangeChunks(
  path: string,
  index: XzIndex,
  start: number,
  end: number,
  checks = true,
): AsyncGenerator<Uint8Array> {
  if (start >= end) return;
  const fh = await openXzFile(path);
  const wholeFile = index.streams.length === 1 && index.blocks.length === 1;
  try {
    for (let i = firstBlockAt(index.blocks, start); i < index.blocks.length; i++) {
      const block = index.blocks[i];
      if (block === undefined || block.uncompressedOffset >= end) break;
      if (block.uncompressedSize === 0) continue;
      const from = Math.max(start - block.uncompressedOffset, 0);
      const to = Math.min(end - block.uncompressedOffset, block.uncompressedSize);
      yield* decodeBlock(fh, path, block, from, to, checks, wholeFile);
    }
  } finally {
    await fh.close();
  }
}

/**
 * A stream of the uncompressed bytes [uncompressedStart, uncompressedStart +
 * length) of the .xz file at `path`, whose Index `index` came from
 * {@link readXzIndex}. Only the Blocks covering the range are read, each in
 * full so that its Check is verified (the stream ends only after the last
 * Check matched); at most about 1 MiB is buffered. Blocks of stored chunks
 * are passed through; Blocks with LZMA chunks are decoded by xz-decompress,
 * which decodes one Block at a time process-wide: read such streams to
 * their end (or destroy them), concurrently if need be, rather than leaving
 * one half-read while waiting on another.
 *
 * @throws BmpackError E_XZ_INVALID (synchronously) when the range is not
 *   within the file's uncompressed size; E_INTERNAL for a negative or
 *   fractional argument. The stream fails with E_XZ_INVALID naming the file
 *   and the Block's offset when a Block is corrupt or disagrees with the
 *   Index, and with E_IO when the file cannot be read.
 */
export function openXzRange(
  path: string,
  index: XzIndex,
  uncompressedStart: number,
  length: number,
): Readable {
  if (
    !Number.isSafeInteger(uncompressedStart) ||
    !Number.isSafeInteger(length) ||
    uncompressedStart < 0 ||
    length < 0
  ) {
    const problem = `openXzRange(${uncompressedStart}, ${length}): not a non-negative integer range`;
    throw new BmpackError('E_INTERNAL', `${path}: ${problem}`, {
      hint: `This is a bug in bmpack, not a problem with ${path}.`,
      cause: new RangeError(problem),
    });
  }
  const end = uncompressedStart + length;
  if (end > index.uncompressedSize) {
    throw xzInvalid(
      path,
      new RangeError(
        `bytes ${uncompressedStart}-${end} were asked for, but the file holds ${index.uncompressedSize}`,
      ),
    );
  }
  return Readable.from(xzRangeChunks(path, index, uncompressedStart, end), {
    objectMode: false,
    highWaterMark: HIGH_WATER_MARK,
  });
}
