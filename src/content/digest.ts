/** Digest arithmetic over bytes (image-spec descriptor.md "Digests"). */
import { createHash, type Hash } from 'node:crypto';
import { BmpackError } from '../errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** The algorithm part of a digest string, validated. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  const alg = digest.slice(0, digest.indexOf(':'));
  if (alg === 'sha256' || alg === 'sha512') return alg;
  throw new BmpackError('E_DIGEST_INVALID', `unsupported digest algorithm in ${digest}`, {
    hint: 'bmpack supports sha256 and sha512 digests.',
  });
}

export function createDigester(digest: string): Hash {
  return createHash(digestAlgorithm(digest));
}

/** sha256 digest string of a whole buffer (for small documents only). */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest with the same algorithm as `like`. */
export function digestLike(like: string, bytes: Uint8Array): string {
  const alg = digestAlgorithm(like);
  return `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
}
