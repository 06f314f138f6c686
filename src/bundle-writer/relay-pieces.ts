/**
 * Pieces of a blob for the relay (blob-relay.ts): a fetch's small reads gathered into larger buffers.
 */
import { readBufferSize, takeReadBuffer } from '../fs/read-buffers.js';

/** Bytes per piece handed to the writer: one recycled read buffer each. */
export const defaultPieceSize = readBufferSize;

/**
 * A fetch's small reads (16-64 KiB from the socket) copied into pieces of
 * a megabyte: each piece costs the writer, the bundle hash and the xz
 * framing (its chunk split, its pending copy) once rather than per read.
 * Each piece is a recycled read buffer (read-buffers.ts), one piece per
 * buffer, which the bundle writer gives back once its file sink copied
 * it: fresh megabytes would cost page faults and make V8 collect for
 * external memory.
 * A small piece (a small blob, a blob's end) gets memory of its own size
 * there: the relay counts held bytes by length, and a recycled megabyte per
 * small layer held ahead of the writer would pin far more.
 */
export class Pieces {
  private piece: Buffer | undefined;
  private at = 0;
  private received = 0;

  constructor(
    private readonly size: number,
    private readonly pieceSize: number,
    private readonly out: (piece: Buffer) => void,
  ) {}

  add(chunk: Buffer): void {
    for (let off = 0; off < chunk.length;) {
      const left = Math.max(this.size - this.received, chunk.length - off);
      const piece = (this.piece ??= takeReadBuffer(Math.min(this.pieceSize, left)));
      const n = chunk.copy(piece, this.at, off);
      this.at += n;
      off += n;
      this.received += n;
      if (this.at === piece.length) this.flush();
    }
  }

  flush(): void {
    if (this.piece !== undefined && this.at > 0) this.out(this.piece.subarray(0, this.at));
    this.piece = undefined;
    this.at = 0;
  }
}
