/** How src/cli/error-hints.ts and its per-topic tables describe one hint. */
import type { BmpackError } from '../errors.js';

/** One way to say what to do, usable when the command has all of `needs`. */
export interface FlagHint {
  readonly needs: readonly string[];
  readonly hint: (e: BmpackError) => string;
}

/** A hint that is the same text for every error. */
export const say = (text: string) => (): string => text;

/** A string fact of `e`'s details ('' when absent): what a hint re-runs a command with. */
export function detail(e: BmpackError, key: string): string {
  const value = e.details[key];
  return typeof value === 'string' ? value : '';
}
