/**
 * Turning references back into strings, and deriving new ones. References
 * are values: helpers return new objects and never mutate their input.
 */
import { BmpackError } from '../errors.js';
import { parseDigest } from './digest.js';
import { defaultTag } from './parse-reference.js';
import type { ImageReference } from './image-reference.js';
import { tagProblem } from './tag.js';

/** `registry/repository`, e.g. `docker.io/library/nginx`. */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * The full normalised form, `registry/repository[:tag][@digest]`; a
 * reference with both keeps both, as `docker pull` accepts.
 */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${repositoryName(ref)}${tag}${digest}`;
}

/**
 * What goes in `/v2/<name>/manifests/<reference>` (distribution-spec "Pulling
 * manifests"): the digest when there is one, since it pins content, else the tag.
 */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? defaultTag;
}

/**
 * A copy of `ref` with `tag` set (any digest is kept).
 * @throws BmpackError E_REF_INVALID when the tag is malformed.
 */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  const problem = tagProblem(tag);
  if (problem !== undefined) {
    throw new BmpackError(
      'E_REF_INVALID',
      `invalid tag ${JSON.stringify(tag)} for ${repositoryName(ref)}: ${problem}`,
      {
        hint: 'Tags are up to 128 letters, digits, "_", "." and "-", not starting with "." or "-".',
        cause: new Error(problem),
      },
    );
  }
  return { ...ref, tag };
}

/**
 * A copy of `ref` with `digest` set (any tag is kept).
 * @throws BmpackError E_DIGEST_INVALID when the digest is malformed.
 */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  parseDigest(digest);
  return { ...ref, digest };
}
