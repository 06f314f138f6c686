/**
 * The BmpackErrors of the archive readers: E_BUNDLE_INVALID for a malformed
 * archive or layout (naming the bundle file, and the entry or blob at fault),
 * E_DIGEST_MISMATCH for a document whose bytes do not match its digest, E_IO
 * for failed file operations, E_INTERNAL for bugs. Each keeps
 * the underlying error as `cause`.
 */
import { BmpackError } from '../errors.js';
import { ArchiveFormatError } from '../bundle-format/index.js';

export interface InvalidWhere {
  /** The tar entry at fault (its path as written). */
  readonly entry?: string;
  /** The blob at fault. */
  readonly blob?: string;
  /** Replaces the default hint. */
  readonly hint?: string;
}

const defaultHint = (file: string): string =>
  `${file} is damaged, truncated or not an image archive: copy it again and compare its checksum, or re-create it.`;

/** `file` is not a readable bundle: `problem` says why. A BmpackError cause passes through. */
export function bundleInvalid(
  file: string,
  problem: string | Error,
  where: InvalidWhere = {},
): BmpackError {
  if (problem instanceof BmpackError) return problem;
  const cause = problem instanceof Error ? problem : new ArchiveFormatError(problem);
  const at = where.blob !== undefined ? ` (blob ${where.blob})` : '';
  const details: Record<string, string> = { file };
  if (where.entry !== undefined) details.entry = where.entry;
  if (where.blob !== undefined) details.blob = where.blob;
  return new BmpackError('E_BUNDLE_INVALID', `${file}: ${cause.message}${at}`, {
    hint:
      where.hint ??
      (cause instanceof ArchiveFormatError ? cause.hint : undefined) ??
      defaultHint(file),
    cause,
    details,
  });
}

/** Errors from parsing: ArchiveFormatError becomes E_BUNDLE_INVALID, BmpackErrors pass. */
export function asBundleError(file: string, err: unknown, where: InvalidWhere = {}): unknown {
  if (err instanceof ArchiveFormatError) return bundleInvalid(file, err, where);
  return err;
}

/** A document whose bytes hash to `actual` instead of `digest`. */
export function documentMismatch(file: string, digest: string, actual: string): BmpackError {
  const problem = `blob ${digest} in ${file} has digest ${actual}: its bytes are corrupt`;
  return new BmpackError('E_DIGEST_MISMATCH', problem, {
    hint: `${file} is damaged: copy it again and compare its checksum, or re-create it.`,
    cause: new ArchiveFormatError(problem),
    details: { file, expected: digest, actual },
  });
}

/** A failed file operation on the bundle. */
export function archiveIoError(file: string, action: string, cause: unknown): BmpackError {
  if (cause instanceof BmpackError) return cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return new BmpackError('E_IO', `cannot ${action} ${file}${code === '' ? '' : ` (${code})`}`, {
    hint: `Check that ${file} exists and is readable, and that its disk is healthy.`,
    cause,
    details: { file },
  });
}

/** Something that cannot happen did: a bug in bmpack, not in the archive. */
export function internalError(file: string, problem: string): BmpackError {
  return new BmpackError('E_INTERNAL', `${file}: ${problem}`, {
    hint: `This is a bug in bmpack, not a problem with ${file}.`,
    cause: new Error(problem),
    details: { file },
  });
}
