/**
 * cosign's tag-stored signature with its transparency-log proof (pure): a
 * simple-signing layer annotated with `dev.sigstore.cosign/bundle` (the
 * Rekor entry: `{"SignedEntryTimestamp": …, "Payload": {"body", "integratedTime",
 * "logIndex", "logID"}}`) and, when keyless, `dev.sigstore.cosign/certificate`
 * and `dev.sigstore.cosign/chain` (PEM), read as the Sigstore bundle v0.1 it
 * amounts to (a message signature over the payload, its certificate chain or
 * a key hint, and the log entry with its inclusion promise), so that the
 * sigstore project's verifier checks it like any bundle.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { createHash } from 'node:crypto';

export const rekorBundleAnnotation = 'dev.sigstore.cosign/bundle';
export const certificateAnnotation = 'dev.sigstore.cosign/certificate';
export const chainAnnotation = 'dev.sigstore.cosign/chain';

/** Whether a layer carries more than a bare signature: a certificate or a log entry. */
export function hasSigstoreMaterial(annotations: Readonly<Record<string, string>>): boolean {
  return (
    annotations[certificateAnnotation] !== undefined ||
    annotations[rekorBundleAnnotation] !== undefined
  );
}

export function legacyBundle(
  payload: Buffer,
  signature: string,
  annotations: Readonly<Record<string, string>>,
): Bundle | { problem: string } {
  const certificates = [
    ...pemBlocks(annotations[certificateAnnotation] ?? ''),
    ...pemBlocks(annotations[chainAnnotation] ?? ''),
  ];
  const read = rekorEntry(annotations[rekorBundleAnnotation]);
  if (read !== undefined && 'problem' in read) return read;
  const entry = read?.entry;
  const json = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...(certificates.length > 0
        ? { x509CertificateChain: { certificates: certificates.map((c) => ({ rawBytes: c })) } }
        : { publicKey: { hint: '' } }),
      tlogEntries: entry !== undefined ? [entry] : [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(payload).digest('base64'),
      },
      signature,
    },
  };
  try {
    return bundleFromJSON(json);
  } catch (err) {
    return {
      problem: `its signature material is not well formed (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

/** The base64 DER of each PEM certificate in `text`. */
function pemBlocks(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => b.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
}

/** The Rekor entry of the annotation, as a bundle's tlog entry (JSON form). */
function rekorEntry(
  text: string | undefined,
): { entry: Record<string, unknown> } | { problem: string } | undefined {
  if (text === undefined) return undefined;
  const bad = { problem: `its ${rekorBundleAnnotation} annotation is not a Rekor bundle` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad;
  }
  const set = field(json, 'SignedEntryTimestamp');
  const p = field(json, 'Payload');
  const body = field(p, 'body');
  const time = field(p, 'integratedTime');
  const index = field(p, 'logIndex');
  const logId = field(p, 'logID');
  if (
    typeof set !== 'string' ||
    typeof body !== 'string' ||
    typeof time !== 'number' ||
    typeof index !== 'number' ||
    typeof logId !== 'string'
  )
    return bad;
  const decoded: unknown = safeJson(Buffer.from(body, 'base64').toString('utf8'));
  const kind = field(decoded, 'kind');
  const version = field(decoded, 'apiVersion');
  if (typeof kind !== 'string' || typeof version !== 'string') return bad;
  const entry = {
    logIndex: String(index),
    logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
    kindVersion: { kind, version },
    integratedTime: String(time),
    inclusionPromise: { signedEntryTimestamp: set },
    canonicalizedBody: body,
  };
  return { entry };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}
