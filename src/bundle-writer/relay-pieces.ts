/**
 * Pieces of a blob for the relay (blob-relay.ts): a fetch's small reads gathered into larger buffers.
 */
/** Bytes per piece handed to the writer. */
export const defaultPieceSize = 1024 * 1024;

/**
 * A fetch's small reads (16-64 KiB from the socket) copied into pieces of
 * a megabyte: each piece costs the writer, the bundle hash and the xz
 * framing once, and the small buffers die young instead of being held
 * (held, they filled the old generation: a fifth of the build's CPU went
 * to the garbage collector).
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
      const piece = (this.piece ??= Buffer.allocUnsafeSlow(Math.min(this.pieceSize, left)));
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
