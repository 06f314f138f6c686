/**
 * What a failing call failed with, for tests that expect a BmpackError. The
 * strict helpers (rejection, thrown) fail the test on anything else; the
 * code helpers (rejectionCode, thrownCode) say what came instead, so that a
 * test can expect a code, or expect that there was none.
 */
import { BmpackError } from '../../src/errors.js';

/** Fails the test: `err` should have been a BmpackError. */
function notBmpack(err: unknown): Error {
  return new Error(`expected a BmpackError, got ${String(err)}`, { cause: err });
}

/** The BmpackError a promise (or an async function) rejects with; fails the test otherwise. */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<BmpackError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof BmpackError) return err;
    throw notBmpack(err);
  }
  throw new Error('expected a rejection, but it resolved');
}

/** The BmpackError a function throws synchronously; fails the test otherwise. */
export function thrown(fn: () => unknown): BmpackError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BmpackError) return err;
    throw notBmpack(err);
  }
  throw new Error('expected a throw');
}

/** The BmpackError code a promise rejects with ('not a BmpackError: …' otherwise, undefined if it resolves). */
export async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof BmpackError ? err.code : `not a BmpackError: ${String(err)}`;
  }
  return undefined;
}

/** The BmpackError code `fn` throws, 'not a BmpackError' for other errors, undefined if it returns. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BmpackError ? err.code : 'not a BmpackError';
  }
  return undefined;
}
