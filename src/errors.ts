/**
 * One error type for the whole tool. Every failure a user can meet is a
 * {@link BmpackError} with a stable `code` (match on it, never on the message),
 * a process exit code chosen by the code's category, and a hint that says
 * what to do next. The original error always travels as `cause`.
 */

/** Exit codes by category. Stable: scripts depend on them. */
export const ExitCode = {
  internal: 1,
  usage: 2,
  input: 3,
  auth: 4,
  notFound: 5,
  network: 6,
  integrity: 7,
  tls: 8,
  rateLimited: 9,
  registry: 10,
  bundle: 11,
  io: 12,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const codes = {
  E_INTERNAL: ExitCode.internal,
  E_USAGE: ExitCode.usage,
  E_REF_INVALID: ExitCode.input,
  E_DIGEST_INVALID: ExitCode.input,
  E_CONFIG_INVALID: ExitCode.input,
  E_CREDENTIAL_HELPER: ExitCode.auth,
  E_CREDENTIALS_MISSING: ExitCode.auth,
  E_UNAUTHORIZED: ExitCode.auth,
  E_DENIED: ExitCode.auth,
  E_NOT_FOUND: ExitCode.notFound,
  E_NETWORK: ExitCode.network,
  E_STALLED: ExitCode.network,
  E_TLS: ExitCode.tls,
  E_DIGEST_MISMATCH: ExitCode.integrity,
  E_SIZE_MISMATCH: ExitCode.integrity,
  E_SIGNATURE_INVALID: ExitCode.integrity,
  E_UNSIGNED: ExitCode.integrity,
  E_RATE_LIMITED: ExitCode.rateLimited,
  E_REGISTRY: ExitCode.registry,
  E_UNSUPPORTED_MEDIA_TYPE: ExitCode.registry,
  E_MANIFEST_INVALID: ExitCode.registry,
  E_MANIFEST_TOO_LARGE: ExitCode.registry,
  E_IMAGESET_INVALID: ExitCode.input,
  E_PLATFORM_INVALID: ExitCode.input,
  E_PLATFORM_MISSING: ExitCode.notFound,
  E_PLATFORM_PINNED: ExitCode.input,
  E_TARGET_CONFLICT: ExitCode.input,
  E_TARGET_NAME_REJECTED: ExitCode.registry,
  E_BUNDLE_INVALID: ExitCode.bundle,
  E_CLOSURE_MISSING: ExitCode.bundle,
  E_PUSH_INCOMPLETE: ExitCode.registry,
  E_COPY_INCOMPLETE: ExitCode.registry,
  E_XZ_INVALID: ExitCode.bundle,
  E_IO: ExitCode.io,
  E_INTERRUPTED: ExitCode.interrupted,
} as const satisfies Record<string, ExitCodeValue>;

export type ErrorCode = keyof typeof codes;

/**
 * Which situation, within a code, an error is: machine-readable, so that the
 * CLI can say which of its flags helps (the library names no flag).
 */
export type ErrorReason =
  | 'tls-untrusted'
  | 'ca-file-unreadable'
  | 'rate-limited'
  | 'retry-after-too-long'
  | 'credentials-rejected'
  | 'delta-base-not-bmpack'
  | 'delta-base-is-output'
  | 'merge-tag-conflict'
  | 'merge-blob-missing'
  | 'platform-unresolvable'
  | 'private-registry-invalid'
  | 'target-paths-collide'
  | 'folded-paths-collide'
  | 'path-rule-invalid'
  | 'path-depth-below-namespace'
  | 'repository-too-deep'
  | 'repository-name-refused'
  | 'mirror-paths-not-expressible'
  | 'mirror-paths-need-bundle'
  | 'image-list-unreadable'
  | 'image-list-is-directory'
  | 'image-list-missing'
  | 'image-list-stdin-twice'
  | 'split-size-invalid'
  | 'worker-crashed'
  | 'mirrored-host-invalid'
  | 'mirrored-hosts-empty'
  | 'mirror-hosts-and-source'
  | 'mirror-plain-http-with-tls'
  | 'mirror-install-dir-relative'
  | 'mirror-cluster-needs-bmctl'
  | 'mirror-cluster-name-invalid'
  | 'mirror-secret-namespace-needs-cluster'
  | 'mirror-ca-not-pem'
  | 'mirror-credentials-need-output'
  | 'mirror-credentials-missing'
  | 'mirror-config-only-without-config'
  | 'mirror-config-missing'
  | 'mirror-images-not-served'
  | 'mirror-config-wrong'
  | 'mirror-docker-namespace'
  | 'mirror-check-bmctl'
  | 'proxy-refused'
  | 'proxy-auth-required';

/** One structured fact of an error: a value, or a list (every image a push left out). */
export type ErrorDetail = string | number | boolean | readonly string[];

export interface BmpackErrorOptions {
  /** What the user can do about it, in the library's words (no CLI flag names). */
  hint?: string;
  /** Which situation within `code` this is; the CLI maps it to a hint naming its flags. */
  reason?: ErrorReason;
  cause?: unknown;
  /**
   * Take the exit code (and, unless given, the reason) of `cause` when it is
   * a BmpackError: a wrapper such as E_PUSH_INCOMPLETE keeps the category of
   * what really failed (network 6, auth 4, …), while its own code says what
   * the command could not finish.
   */
  categoryFromCause?: boolean;
  /** Extra structured facts (image, blob, url…, or a whole list) for `--json` output. */
  details?: Readonly<Record<string, ErrorDetail>>;
}

export class BmpackError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly reason: ErrorReason | undefined;
  readonly details: Readonly<Record<string, ErrorDetail>>;

  constructor(code: ErrorCode, message: string, options: BmpackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BmpackError';
    this.code = code;
    const from = options.categoryFromCause === true ? bmpackCause(options.cause) : undefined;
    this.exitCode = from?.exitCode ?? codes[code];
    this.hint = options.hint;
    this.reason = options.reason ?? from?.reason;
    this.details = options.details ?? {};
  }
}

function bmpackCause(cause: unknown): BmpackError | undefined {
  return cause instanceof BmpackError ? cause : undefined;
}

/** True when `err` is a BmpackError, optionally with one of the given codes. */
export function isBmpackError(err: unknown, ...only: ErrorCode[]): err is BmpackError {
  return err instanceof BmpackError && (only.length === 0 || only.includes(err.code));
}

/** The exit code that a code maps to (for docs and tests). */
export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  return codes[code];
}
