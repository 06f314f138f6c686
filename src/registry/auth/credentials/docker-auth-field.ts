/**
 * The `auth` field of a docker config entry: base64 (Go StdEncoding, padded)
 * of `username:password`, split at the first ':' with NULs trimmed from the
 * password (docker/cli configfile `decodeAuth`; protocols.md §2.6).
 */

/** Padded standard base64; Go's decoder skips CR and LF, so we strip them first. */
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded pair, or a description of the problem that never quotes the value. */
export function decodeAuthField(
  auth: string,
): { username: string; password: string } | { problem: string } {
  const clean = auth.replace(/[\r\n]/g, '');
  if (!base64.test(clean)) return { problem: 'is not valid base64' };
  const decoded = Buffer.from(clean, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { problem: 'must be base64 of "username:password"' };
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, ''),
  };
}
