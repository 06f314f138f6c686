/**
 * Split one byte stream into consecutive fixed-size pieces, each its own
 * Readable, without buffering more than one incoming chunk. Used for
 * chunked uploads (PATCH per piece). Each piece must be read to its end
 * before the next is taken.
 */
import { Readable } from 'node:stream';

export function* pieceSizes(total: number, pieceSize: number): Generator<number> {
  for (let done = 0; done < total; done += pieceSize) yield Math.min(pieceSize, total - done);
}

export class PieceReader {
  private readonly it: AsyncIterator<unknown>;
  private leftover: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<unknown>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next `length` bytes as a stream; it errors if the source ends early. */
  next(length: number): Readable {
    return Readable.from(this.take(length), { objectMode: false });
  }

  private async *take(length: number): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      if (this.leftover.length === 0) {
        const r = await this.it.next();
        if (r.done === true) throw new Error(`source ended ${remaining} bytes early`);
        this.leftover = Buffer.from(r.value as Uint8Array);
        continue;
      }
      const piece = this.leftover.subarray(0, remaining);
      this.leftover = this.leftover.subarray(piece.length);
      remaining -= piece.length;
      yield piece;
    }
  }
}
