/**
 * The BmpackErrors of the xz I/O layer. Pure parsers (and the readers'
 * own checks) throw XzFormatError; here it becomes E_XZ_INVALID naming the
 * file (and the Block's offset when one is at fault), with the XzFormatError
 * as `cause`.
 */
import { BmpackError } from '../errors.js';

/** Malformed or corrupt .xz data in `path`; `blockOffset` names the Block at fault. */
export function xzInvalid(path: string, cause: unknown, blockOffset?: number): BmpackError {
  if (cause instanceof BmpackError) return cause;
  const problem = cause instanceof Error ? cause.message : String(cause);
  const where = blockOffset === undefined ? '' : ` (block at byte ${blockOffset})`;
  return new BmpackError(
    'E_XZ_INVALID',
    `${path}: invalid or unsupported .xz data: ${problem}${where}`,
    {
      hint: `${path} is damaged, truncated or not an .xz file: copy or download it again and compare its checksum.`,
      cause,
      details: blockOffset === undefined ? { file: path } : { file: path, blockOffset },
    },
  );
}

/** A failed file operation on `path` (open, read, write). */
export function xzIoError(path: string, action: string, cause: unknown): BmpackError {
  if (cause instanceof BmpackError) return cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return new BmpackError('E_IO', `cannot ${action} ${path}${code === '' ? '' : ` (${code})`}`, {
    hint:
      action === 'write'
        ? `Check the free space and permissions where ${path} is written.`
        : `Check that ${path} exists and is readable, and that its disk is healthy.`,
    cause,
    details: { file: path },
  });
}
