/**
 * Ranges of a multi-block .tar.xz through its Index: only the Blocks that
 * cover a range are decoded (each verified against its Check), each range
 * with its own file handle, so several blobs stream in parallel
 * (src/xz/range-reader.ts). Blocks with LZMA chunks go through xz-decompress,
 * which decodes one Block at a time process-wide: parallel ranges take turns
 * Block by Block, and a range left half-read holds the others up until it
 * is read on or destroyed.
 */
import { xzRangeChunks, type XzIndex } from '../xz/index.js';
import { bundleInvalid } from './archive-errors.js';
import { asBuffer, type TarRangeReader } from './tar-range-reader.js';

export class XzBlockRangeReader implements TarRangeReader {
  readonly randomAccess = true;

  constructor(
    private readonly file: string,
    private readonly index: XzIndex,
    /** Verify each block's check; off when the consumer hashes every blob anyway. */
    private readonly checks = true,
  ) {}

  async *chunks(offset: number, length: number, what: string): AsyncGenerator<Buffer> {
    const end = offset + length;
    if (end > this.index.uncompressedSize) {
      throw bundleInvalid(
        this.file,
        `${what} ends at byte ${end} of the tar, which holds ${this.index.uncompressedSize} (truncated?)`,
      );
    }
    // xzRangeChunks is the generator behind openXzRange: used directly, the
    // blob stream is the only buffer between the decoder and the consumer.
    for await (const chunk of xzRangeChunks(this.file, this.index, offset, end, this.checks)) {
      yield asBuffer(chunk);
    }
  }

  async close(): Promise<void> {
    // Every range closes its own handle.
  }
}
