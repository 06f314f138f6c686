import { VerifyError } from '../../src/verify/verify-report.js';

/** The VerifyError a verification rejects with (fails the test otherwise). */
export async function verifyFailure(p: Promise<unknown>): Promise<VerifyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw new Error(`expected a VerifyError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the verification to fail');
}
