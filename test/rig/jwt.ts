/**
 * The JWTs that docker-registry 2.8 accepts from a token server
 * (registry/auth/token/token.go): `aud` a plain JSON string, `iss` equal to the
 * configured issuer, `exp` required, grants in `access`, and the signing key
 * named by `kid` = its libtrust fingerprint.
 */
import { createHash, randomUUID, sign, type KeyObject } from 'node:crypto';

/** One grant of a token: e.g. `{type: 'repository', name: 'a/b', actions: ['pull']}`. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** Signature algorithms that libtrust (and so the registry) verifies and we use. */
export type JwtAlg = 'RS256' | 'ES256';

/** What goes into a token besides the grants. */
export interface TokenClaims {
  issuer: string;
  /** The registry's `auth.token.service`; becomes `aud`. */
  audience: string;
  subject?: string;
  access: AccessEntry[];
  /** Seconds from now until `exp`; negative makes an expired token. */
  expiresIn: number;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32.charAt((value << (5 - bits)) & 31);
  return out;
}

/**
 * libtrust key ID of a public key: base32 of the first 30 bytes of
 * SHA-256(DER SubjectPublicKeyInfo), unpadded, in 12 groups of 4 joined by `:`.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const encoded = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return (encoded.match(/.{4}/g) ?? []).join(':');
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs a registry token with `privateKey` (RSA for RS256, P-256 for ES256). */
export function signRegistryToken(
  alg: JwtAlg,
  privateKey: KeyObject,
  kid: string,
  claims: TokenClaims,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg, kid };
  const payload = {
    iss: claims.issuer,
    sub: claims.subject ?? '',
    aud: claims.audience,
    exp: now + claims.expiresIn,
    nbf: now - 1,
    iat: now,
    jti: randomUUID(),
    access: claims.access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  // JWS wants ECDSA signatures as raw r||s, not node's default DER.
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${b64url(signature)}`;
}
