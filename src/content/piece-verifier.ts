/**
 * Checks content that arrives as owned pieces against its descriptor, the
 * hashing done on a {@link PieceHasher} thread: the size as the pieces
 * pass (too many bytes fail at once), the digest once the last piece is
 * hashed. Each piece is handed on, in order, when it comes back from the
 * thread.
 */
import { digestAlgorithm } from './digest.js';
import type { PieceHash, PieceHasher } from './piece-hasher.js';
import { checkDigest, ContentVerifier, type Expected } from './verifier.js';

export class PieceVerifier {
  private readonly sizes: ContentVerifier;
  private readonly hash: PieceHash;
  /** The last piece's way back: the thread answers in order, so it settles after every earlier one. */
  private last: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    hasher: PieceHasher,
    private readonly expected: Expected,
    private readonly what: string,
  ) {
    this.sizes = new ContentVerifier(expected, what, { digest: false });
    this.hash = hasher.open(digestAlgorithm(expected.digest));
  }

  /**
   * Sends the piece to be hashed (it must own its memory, which moves) and
   * calls `then` with its bytes once they are back, or `lost` when they
   * never come back (the thread ended). Throws at once when the content is
   * longer than expected.
   */
  update(piece: Buffer, then: (back: Buffer) => void, lost?: (err: Error) => void): void {
    this.sizes.update(piece);
    const back = this.hash.update(piece).then(then, (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      this.failure ??= error;
      lost?.(error);
    });
    this.last = back.catch(() => undefined);
  }

  /** Every piece sent so far is back (a failure waits for {@link finish}). */
  settled(): Promise<void> {
    return this.last;
  }

  /** Waits for every piece, then throws when the size or the digest differs. */
  async finish(): Promise<void> {
    await this.last;
    try {
      if (this.failure !== undefined) throw this.failure;
      this.sizes.finish();
    } catch (err) {
      this.drop();
      throw err;
    }
    checkDigest(this.expected, await this.hash.digest(), this.what);
  }

  /** The check is given up: the thread forgets the digest. */
  drop(): void {
    this.hash.drop();
  }
}
