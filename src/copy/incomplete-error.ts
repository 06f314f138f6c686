/**
 * The error for a copy (or push) that left images out: which ones (nothing
 * is tagged for them), and the first cause with its hint.
 */
import { BmpackError, type ErrorCode } from '../errors.js';

export interface IncompleteWording {
  readonly code: Extract<ErrorCode, 'E_PUSH_INCOMPLETE' | 'E_COPY_INCOMPLETE'>;
  /** `pushed`, `copied`. */
  readonly verb: string;
}

export function incompleteError(
  failed: ReadonlyArray<{ readonly image: string; readonly error: unknown }>,
  total: number,
  w: IncompleteWording,
): BmpackError {
  const first = failed[0]?.error;
  const reason = first instanceof Error ? first.message : String(first);
  return new BmpackError(
    w.code,
    `${failed.length} of ${total} images were not ${w.verb} (nothing tagged for them): ${failed.map((f) => f.image).join(', ')}. First error: ${reason}`,
    {
      hint:
        first instanceof BmpackError && first.hint !== undefined
          ? first.hint
          : `Fix the cause and run the same command again: what was ${w.verb} is kept and skipped.`,
      cause: first,
      // A push that failed because the network did exits as a network failure.
      categoryFromCause: true,
    },
  );
}
