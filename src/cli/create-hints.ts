/**
 * `bundle create` reaches registries through the same client as `push`,
 * whose hints name push's flags (--cacert, --plain-http, --username …).
 * bundle create takes none of them: its hints say what it does take.
 */
import { BmpackError, type ErrorCode } from '../errors.js';

const hints: Partial<Record<ErrorCode, string>> = {
  E_TLS:
    'If the registry uses a private CA, run bmpack with NODE_EXTRA_CA_CERTS=PATH (its PEM certificate). --insecure-registry HOST skips verification for that registry, or talks plain HTTP to it (not recommended).',
  E_UNAUTHORIZED:
    'Log in with `docker login HOST` (or a credential helper), or pass --docker-config PATH with an entry for the registry, and check the user and password.',
};

/** `err` with the hint bundle create's users can follow (same code, message and details). */
export function withCreateHints(err: unknown): unknown {
  if (!(err instanceof BmpackError)) return err;
  const hint = hints[err.code];
  if (hint === undefined) return err;
  return new BmpackError(err.code, err.message, { hint, cause: err, details: err.details });
}
