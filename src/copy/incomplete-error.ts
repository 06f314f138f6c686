/**
 * The error for a copy (or push) that left images out, in lines a terminal
 * can show however many there are: the count, the first few images, and
 * the first cause of each kind (a code, with how many images it stopped).
 * `details.images` carries every image for --json.
 */
import { BmpackError, type ErrorCode } from '../errors.js';

export interface IncompleteWording {
  readonly code: Extract<ErrorCode, 'E_PUSH_INCOMPLETE' | 'E_COPY_INCOMPLETE'>;
  /** `pushed`, `copied`. */
  readonly verb: string;
}

type Failure = { readonly image: string; readonly error: unknown };

/** How many images a message names before "and N more". */
const shown = 5;

export function incompleteError(
  failed: readonly Failure[],
  total: number,
  w: IncompleteWording,
): BmpackError {
  const first = failed[0]?.error;
  const names = failed.slice(0, shown).map((f) => f.image);
  const more = failed.length > shown ? ` and ${failed.length - shown} more` : '';
  const kinds = causesByKind(failed);
  const lines = [
    `${failed.length} of ${total} images were not ${w.verb} (nothing tagged for them): ${names.join(', ')}${more}.`,
    ...kinds.map(
      (k) =>
        `  ${k.code} for ${k.images} image${k.images === 1 ? '' : 's'} (first: ${k.image}): ${k.message}`,
    ),
  ];
  return new BmpackError(w.code, lines.join('\n'), {
    hint:
      first instanceof BmpackError && first.hint !== undefined
        ? first.hint
        : `Fix the cause and run the same command again: what was ${w.verb} is kept and skipped.`,
    cause: first,
    // A push that failed because the network did exits as a network failure.
    categoryFromCause: true,
    details: {
      failed: failed.length,
      total,
      images: failed.map((f) => f.image),
      causes: kinds.map((k) => `${k.code} (${k.images}): ${k.message}`),
    },
  });
}

interface Kind {
  readonly code: string;
  readonly image: string;
  readonly message: string;
  images: number;
}

/** The first failure of each error code, in order of first appearance, with counts. */
function causesByKind(failed: readonly Failure[]): Kind[] {
  const kinds = new Map<string, Kind>();
  for (const f of failed) {
    const code = f.error instanceof BmpackError ? f.error.code : 'E_INTERNAL';
    const known = kinds.get(code);
    if (known !== undefined) known.images++;
    else {
      const message = f.error instanceof Error ? f.error.message : String(f.error);
      kinds.set(code, { code, image: f.image, message: firstLine(message), images: 1 });
    }
  }
  return [...kinds.values()];
}

/** The cause's first line; a long one keeps its start (what failed) and its end (how often). */
function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 400 ? `${line.slice(0, 250)} … ${line.slice(-140)}` : line;
}
