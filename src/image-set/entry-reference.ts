/**
 * An image reference read from a manifest. parseReference knows what is
 * wrong with the reference but not where it was written; this adds the file,
 * line and entry and keeps the reference error as the cause.
 */
import { BmpackError } from '../errors.js';
import { parseReference, type ImageReference } from '../reference/index.js';
import { imageSetError } from './image-set-error.js';
import type { SourcePosition } from './image-set.js';

export function parseEntryReference(
  source: string,
  at: SourcePosition,
  entry: string = source,
): ImageReference {
  try {
    return parseReference(source);
  } catch (err) {
    if (!(err instanceof BmpackError)) throw err;
    throw imageSetError(at, err.message, {
      entry,
      hint:
        err.hint ?? 'Write each image as registry/repository:tag or registry/repository@digest.',
      cause: err,
    });
  }
}
