/**
 * Pieces of a blob for the relay (blob-relay.ts): a fetch's small reads gathered into larger buffers.
 */
/** Bytes per piece handed to the writer. */
export const defaultPieceSize = 1024 * 1024;

/**
 * A fetch's small reads (16-64 KiB from the socket) copied into pieces of
 * a megabyte: each piece costs the writer, the bundle hash and the xz
 * framing (its chunk split, its pending copy) once rather than per read.
 * The pieces are fresh buffers nobody gives back yet: together with the
 * reader's they keep V8 collecting for external memory (see the note on
 * issue 17).
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
