/**
 * The error the pure archive parsers throw (tar headers, paths, bmpack.json,
 * index.json, docker's manifest.json). They know bytes, not files, so they
 * cannot name one; src/bundle-reader/archive-errors.ts wraps this into a BmpackError
 * E_BUNDLE_INVALID that names the bundle file and keeps this error as its
 * `cause` (the same split as src/xz/format-error.ts). A parser that knows
 * what the user should do about it says so in `hint`.
 */
export class ArchiveFormatError extends Error {
  override readonly name = 'ArchiveFormatError';
  readonly hint: string | undefined;

  constructor(message: string, options: ErrorOptions & { hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}
