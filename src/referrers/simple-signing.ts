/**
 * cosign's simple-signing signatures, checked offline (pure): the payload
 * `{"critical":{"identity":{"docker-reference":…},"image":
 * {"docker-manifest-digest":…},"type":"cosign container image
 * signature"},…}` is the signed message, the layer's
 * `dev.cosignproject.cosign/signature` annotation its base64 signature
 * (ECDSA P-256/P-384 and RSA over SHA-256, Ed25519 over the message).
 */
import { verify, type KeyObject } from 'node:crypto';

export const simpleSigningMediaType = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const signatureAnnotation = 'dev.cosignproject.cosign/signature';

export interface SimpleSigningPayload {
  readonly digest: string;
  readonly reference: string | undefined;
}

/** The image digest and reference the payload claims, or undefined when it is not cosign's payload. */
export function readPayload(bytes: Buffer): SimpleSigningPayload | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const critical = field(json, 'critical');
  const digest = field(field(critical, 'image'), 'docker-manifest-digest');
  const reference = field(field(critical, 'identity'), 'docker-reference');
  if (field(critical, 'type') !== 'cosign container image signature' || typeof digest !== 'string')
    return undefined;
  return { digest, reference: typeof reference === 'string' ? reference : undefined };
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** Whether `signature` (base64) signs `payload` under `key`. */
export function signatureValid(payload: Buffer, signature: string, key: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64');
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(algorithm, payload, key, sig);
  } catch {
    return false;
  }
}
