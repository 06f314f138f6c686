/**
 * Errors that carry a report (a failed verification, a failed mirror check)
 * still show it: its lines on stdout before the error, or, with --json, its
 * fields beside `error`. One place for every command, so that the base
 * command's failure output is the same for all of them.
 */
import { MirrorCheckError } from '../../mirror/index.js';
import { VerifyError } from '../../verify/verify-report.js';
import { renderMirrorCheck } from '../mirror-check/render.js';
import { renderVerify } from '../bundle-verify/render.js';

export interface FailureReport {
  /** The report as `--json` prints it, beside `error`. */
  readonly json: object;
  /** The report as text, printed before the error. */
  readonly lines: readonly string[];
}

/** The report `err` carries, if any. */
export function failureReport(err: unknown): FailureReport | undefined {
  if (err instanceof VerifyError) return { json: err.report, lines: renderVerify(err.report) };
  if (err instanceof MirrorCheckError)
    return { json: err.report, lines: renderMirrorCheck(err.report) };
  return undefined;
}
