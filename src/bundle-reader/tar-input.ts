/**
 * Where a tar scan reads from: a plain tar file, by position (skipping data
 * costs nothing), or the decoded bytes of an .xz file, as a stream (skipping
 * data means decoding it, so hashing it on the way is nearly free).
 */

export interface TarInput {
  /** Offset in the tar of the next unread byte. */
  readonly position: number;
  /** True when skipped bytes are read anyway (a decoded stream). */
  readonly sequential: boolean;
  /** The next `n` bytes without moving; fewer only at the end of the input. */
  peek(n: number): Promise<Buffer>;
  /** The next `n` bytes, moving past them; fewer only at the end of the input. */
  read(n: number): Promise<Buffer>;
  /**
   * Moves past `n` bytes, handing them to `sink` when given; returns how many
   * there were (fewer than `n` only at the end of the input).
   */
  skip(n: number, sink?: (chunk: Buffer) => void): Promise<number>;
  /** Releases the file handle or the decoder. */
  close(): Promise<void>;
}
