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

export class ContentVerifier {
  private readonly hash: Hash;
  private count = 0;
  private finished = false;

  /** `what` names the content in errors, e.g. "blob sha256:… of gcr.io/x/y". */
  constructor(
    private readonly expected: Expected,
    private readonly what: string,
  ) {
    this.hash = createDigester(expected.digest);
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
    this.hash.update(chunk);
  }

  /** Call at the end; throws when size or digest differ. Later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const { size, digest } = this.expected;
    if (this.count !== size) {
      throw new BmpackError(
        'E_SIZE_MISMATCH',
        `${this.what}: got ${this.count} bytes, expected ${size}`,
        {
          hint: 'The content was truncated or the source is corrupt; retry, or check the source.',
        },
      );
    }
    const actual = `${digest.slice(0, digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== digest) {
      throw new BmpackError(
        'E_DIGEST_MISMATCH',
        `${this.what}: digest is ${actual}, expected ${digest}`,
        {
          hint: 'The content is corrupt or was altered on the way; retry, or check the source.',
          details: { expected: digest, actual },
        },
      );
    }
  }
}
