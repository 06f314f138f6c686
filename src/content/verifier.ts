/**
 * Checks bytes against a descriptor as they pass: the digest over all of
 * them, and the size, failing as soon as there are too many bytes rather
 * than after reading an unbounded stream (cf. go-containerregistry
 * internal/verify).
 */
import type { Hash } from 'node:crypto';
import { BmpackError } from '../errors.js';
import { createDigester } from './digest.js';

export interface Expected {
  readonly digest: string;
  readonly size: number;
}

export interface VerifierOptions {
  /**
   * False: count the bytes only (too many fail at once, too few at the
   * end); the caller checks the digest itself (piece-verifier.ts hashes on
   * another thread).
   */
  readonly digest?: boolean;
}

export class ContentVerifier {
  private readonly hash: Hash | undefined;
  private count = 0;
  private finished = false;

  /** `what` names the content in errors, e.g. "blob sha256:… of gcr.io/x/y". */
  constructor(
    private readonly expected: Expected,
    private readonly what: string,
    opts: VerifierOptions = {},
  ) {
    this.hash = opts.digest === false ? undefined : createDigester(expected.digest);
  }

  get bytesSeen(): number {
    return this.count;
  }

  update(chunk: Uint8Array): void {
    this.count += chunk.length;
    if (this.count > this.expected.size) {
      throw new BmpackError(
        'E_SIZE_MISMATCH',
        `${this.what}: more than the expected ${this.expected.size} bytes`,
        { hint: 'The source served different content than its descriptor says.' },
      );
    }
    this.hash?.update(chunk);
  }

  /** Call at the end; throws when size or digest (if it hashes) differ. Later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const { size } = this.expected;
    if (this.count !== size) {
      throw new BmpackError(
        'E_SIZE_MISMATCH',
        `${this.what}: got ${this.count} bytes, expected ${size}`,
        {
          hint: 'The content was truncated or the source is corrupt; retry, or check the source.',
        },
      );
    }
    if (this.hash !== undefined) checkDigest(this.expected, this.hash.digest('hex'), this.what);
  }
}

/** Throws E_DIGEST_MISMATCH unless `hex`, the hash of the content, is the expected digest's. */
export function checkDigest(expected: Expected, hex: string, what: string): void {
  const { digest } = expected;
  const actual = `${digest.slice(0, digest.indexOf(':'))}:${hex}`;
  if (actual === digest) return;
  throw new BmpackError('E_DIGEST_MISMATCH', `${what}: digest is ${actual}, expected ${digest}`, {
    hint: 'The content is corrupt or was altered on the way; retry, or check the source.',
    details: { expected: digest, actual },
  });
}
