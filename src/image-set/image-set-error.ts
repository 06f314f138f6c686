/**
 * The one error shape for a bad manifest: "FILE:LINE: what (entry …)", so an
 * editor or a terminal can jump to the line, and the entry quoted as the user
 * wrote it so they can find it even when the line is off (aliases, flow style).
 */
import { BmpackError } from '../errors.js';
import type { SourcePosition } from './image-set.js';

export interface ImageSetErrorOptions {
  /** The offending entry as written, when there is one. */
  readonly entry?: string | undefined;
  readonly hint: string;
  readonly cause?: unknown;
}

export function imageSetError(
  at: SourcePosition,
  what: string,
  options: ImageSetErrorOptions,
): BmpackError {
  const entry = options.entry === undefined ? '' : ` (entry ${options.entry})`;
  return new BmpackError('E_IMAGESET_INVALID', `${at.file}:${at.line}: ${what}${entry}`, {
    hint: options.hint,
    cause: options.cause ?? new Error(what),
    details: {
      file: at.file,
      line: at.line,
      ...(options.entry === undefined ? {} : { entry: options.entry }),
    },
  });
}
