/**
 * Split one byte stream into consecutive fixed-size pieces, each its own
 * async generator (a request body), without buffering or copying. Used for
 * chunked uploads (PATCH per piece). Each piece must be read to its end
 * before the next is taken.
 */
import { asBuffer } from '../content/as-buffer.js';

export function* pieceSizes(total: number, pieceSize: number): Generator<number> {
  for (let done = 0; done < total; done += pieceSize) yield Math.min(pieceSize, total - done);
}

export class PieceReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private leftover: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next `length` bytes; the generator fails if the source ends early. */
  async *next(length: number): AsyncGenerator<Uint8Array, void, undefined> {
    let remaining = length;
    while (remaining > 0) {
      if (this.leftover.length === 0) {
        const r = await this.it.next();
        if (r.done === true) throw new Error(`source ended ${remaining} bytes early`);
        this.leftover = asBuffer(r.value);
        continue;
      }
      const piece = this.leftover.subarray(0, remaining);
      this.leftover = this.leftover.subarray(piece.length);
      remaining -= piece.length;
      yield piece;
    }
  }
}
