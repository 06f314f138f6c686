/**
 * Turn Node and undici errors into BmpackErrors with a useful hint, and
 * decide which of them are worth a retry.
 */
import { BmpackError } from '../../errors.js';
import { isProxyRefusalError } from './proxy-errors.js';

const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'E_STALLED',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

/** Connection-level failures that a fresh attempt may fix. */
export function isTransientNetworkError(err: unknown): boolean {
  if (err instanceof BmpackError) {
    if (isProxyRefusalError(err)) return false;
    return err.code === 'E_NETWORK' || err.code === 'E_STALLED';
  }
  const code = errorCode(err);
  return code !== undefined && transientCodes.has(code);
}

function isTlsError(err: unknown): boolean {
  const code = errorCode(err);
  if (
    code !== undefined &&
    (tlsCodes.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
  )
    return true;
  const message = err instanceof Error ? err.message : '';
  return /certificate|ssl|tls/i.test(message) && code !== 'ECONNREFUSED';
}

/** Wrap a low-level error; `target` names the host or URL (already redacted). */
export function toNetworkError(err: unknown, target: string): BmpackError {
  if (err instanceof BmpackError) return err;
  const code = errorCode(err) ?? 'unknown';
  const detail = err instanceof Error ? err.message : String(err);
  if (isTlsError(err)) {
    return new BmpackError('E_TLS', `TLS handshake with ${target} failed: ${detail} (${code})`, {
      hint: 'If the registry uses a private CA, pass its certificate. If it serves plain HTTP, talk plain HTTP to it. Turning verification off works too (not recommended).',
      reason: 'tls-untrusted',
      cause: err,
    });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new BmpackError('E_STALLED', `${target} stopped sending data (${code})`, {
      hint: 'The connection stalled. Check the network or proxy; re-running resumes where it stopped.',
      cause: err,
    });
  }
  return new BmpackError('E_NETWORK', `cannot reach ${target}: ${detail} (${code})`, {
    hint: 'Check the address, that the registry is running, and HTTPS_PROXY / NO_PROXY if a proxy is in the way.',
    cause: err,
  });
}
