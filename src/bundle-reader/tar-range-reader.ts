/**
 * How a source reads byte ranges of its tar once it knows where things are:
 * by position in a plain tar, through the xz Index in a multi-block .tar.xz,
 * or with one forward-moving decoder in a single-block .tar.xz.
 */

export interface TarRangeReader {
  /** True when ranges can be read in any order and several at once. */
  readonly randomAccess: boolean;
  /**
   * The bytes [offset, offset + length) of the tar, in pieces. Fails with
   * E_BUNDLE_INVALID naming `what` when the archive ends first.
   */
  chunks(offset: number, length: number, what: string): AsyncGenerator<Buffer>;
  /** Releases what the reader holds open (a decoder, for the sequential one). */
  close(): Promise<void>;
}

/** A view of `chunk` as a Buffer, without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
