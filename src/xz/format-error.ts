/**
 * The error thrown by the pure .xz format functions. They know bytes, not
 * files, so they cannot name one; the I/O layer (xz-errors.ts) wraps this
 * into a BmpackError E_XZ_INVALID that names the file and keeps this error
 * as its `cause`.
 */
export class XzFormatError extends Error {
  override readonly name = 'XzFormatError';
}
