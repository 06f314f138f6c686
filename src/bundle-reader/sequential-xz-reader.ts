/**
 * Ranges of a single-block .tar.xz. Its one Block can only be decoded from
 * its start (LZMA has no restart points), so random access would decode
 * everything before each blob again. Instead one decoder moves forward
 * through the tar: each range is served from where the previous one
 * stopped, skipping (decoding and dropping) the bytes in between. Ranges
 * are meant to be read one at a time, in ascending order (the source's
 * `blobOrder`).
 *
 * Asking for a range that starts before the decoder's position (a retried
 * upload, or a caller out of order) restarts the decoder from the start of
 * the file: correct, but it costs decoding everything up to that range
 * again. A range whose reading starts while another is being read waits
 * until that one ends or its stream is destroyed (a retry right after a
 * destroy, or two reads started together, are served one after the
 * other); a stream left half-read and never destroyed therefore blocks
 * every later one.
 *
 * While the decoder is paused between ranges it holds xz-decompress's
 * process-wide decoder (src/xz/embedded-block-decoder.ts): nothing else in
 * the process can decode LZMA until this reader is closed.
 */
import { xzRangeChunks, type XzIndex } from '../xz/index.js';
import { bundleInvalid } from './archive-errors.js';
import { asBuffer, type TarRangeReader } from './tar-range-reader.js';

interface Cursor {
  readonly decoder: AsyncGenerator<Uint8Array>;
  /** Tar offset of the next byte not handed out (the start of `pending` when set). */
  position: number;
  /** Decoded bytes not handed out yet. */
  pending: Buffer | undefined;
}

export class SequentialXzReader implements TarRangeReader {
  readonly randomAccess = false;
  private cursor: Cursor | undefined;
  /** Settles when the range being read (if any) is done with the cursor. */
  private turn: Promise<void> = Promise.resolve();
  /** How many times a decoder started from the beginning of the file (for tests and diagnostics). */
  decoderStarts = 0;

  constructor(
    private readonly file: string,
    private readonly index: XzIndex,
    /** Verify the Block's Check; off when the consumer hashes every blob anyway. */
    private readonly checks = true,
  ) {}

  async *chunks(offset: number, length: number, what: string): AsyncGenerator<Buffer> {
    // Taken when reading starts, not when the stream is made: a stream
    // destroyed before its first read never holds the reader.
    const previous = this.turn;
    let done = (): void => undefined;
    this.turn = new Promise((resolve) => {
      done = resolve;
    });
    await previous;
    try {
      const cursor = await this.cursorAt(offset, what);
      let left = length;
      while (left > 0) {
        const piece = await this.pull(cursor, what);
        const n = Math.min(left, piece.length);
        if (n < piece.length) cursor.pending = piece.subarray(n);
        cursor.position += n;
        left -= n;
        // A consumer that stops here (destroy) leaves the cursor where it is.
        yield piece.subarray(0, n);
      }
    } finally {
      done();
    }
  }

  /** The cursor moved to `offset`: continued when it is at or before it, restarted otherwise. */
  private async cursorAt(offset: number, what: string): Promise<Cursor> {
    let cursor = this.cursor;
    if (cursor === undefined || cursor.position > offset) {
      await this.reset();
      // For a single Block, the decoder starts at the Block's start whatever
      // `offset` is and drops what comes before it.
      cursor = {
        decoder: xzRangeChunks(
          this.file,
          this.index,
          offset,
          this.index.uncompressedSize,
          this.checks,
        ),
        position: offset,
        pending: undefined,
      };
      this.cursor = cursor;
      this.decoderStarts++;
    }
    while (cursor.position < offset) {
      const piece = await this.pull(cursor, what);
      const n = Math.min(piece.length, offset - cursor.position);
      if (n < piece.length) cursor.pending = piece.subarray(n);
      cursor.position += n;
    }
    return cursor;
  }

  /** The next decoded bytes; a failed or exhausted decoder is dropped. */
  private async pull(cursor: Cursor, what: string): Promise<Buffer> {
    if (cursor.pending !== undefined) {
      const piece = cursor.pending;
      cursor.pending = undefined;
      return piece;
    }
    let r: IteratorResult<Uint8Array>;
    try {
      r = await cursor.decoder.next();
    } catch (err) {
      this.cursor = undefined;
      throw err;
    }
    if (r.done === true) {
      this.cursor = undefined;
      throw bundleInvalid(
        this.file,
        `the tar ends at byte ${cursor.position}, inside ${what} (truncated?)`,
      );
    }
    return asBuffer(r.value);
  }

  private async reset(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = undefined;
    // Returning the generator cancels xz-decompress and frees its mutex.
    await cursor?.decoder.return(undefined);
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
