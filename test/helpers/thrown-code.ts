import { BmpackError } from '../../src/errors.js';

/** The BmpackError code `fn` throws, 'not a BmpackError' for other errors, undefined if it returns. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BmpackError ? err.code : 'not a BmpackError';
  }
  return undefined;
}
