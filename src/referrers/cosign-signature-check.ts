/**
 * cosign's tag-stored signature (`sha256-<hex>.sig`, cosign sign --key,
 * cosign specs/SIGNATURE_SPEC.md), checked offline: each simple-signing
 * layer's payload against its digest, its claim (`docker-manifest-digest`)
 * against the image, its `dev.cosignproject.cosign/signature` against the
 * keys. A layer that also carries a certificate (keyless cosign 2) or its
 * Rekor entry is read as the Sigstore bundle it amounts to and checked by
 * the sigstore project's verifier, like a bundle referrer.
 */
import { sha256Digest } from '../content/digest.js';
import { parseManifest } from '../oci/manifest.js';
import type { BundleSource } from '../bundle-reader/index.js';
import {
  readPayload,
  signatureAnnotation,
  signatureValid,
  simpleSigningMediaType,
} from './simple-signing.js';
import { hasSigstoreMaterial, legacyBundle } from './cosign-rekor-bundle.js';
import type { SignatureTrust } from './signature-trust.js';
import type { SignatureVerdict } from './signature-verdict.js';
import { verifySigstoreBundle } from './sigstore-bundle-check.js';

export async function checkCosignSignature(
  bundle: BundleSource,
  digest: string,
  signatureManifest: string,
  trust: SignatureTrust,
): Promise<SignatureVerdict[]> {
  const bytes = await bundle.readDocument(signatureManifest);
  const manifest = parseManifest(bytes, undefined, signatureManifest);
  if (manifest.kind !== 'manifest')
    return [{ ok: false, problem: `${signatureManifest} is an index, not a cosign signature` }];
  const layers = manifest.layers.filter((l) => l.mediaType === simpleSigningMediaType);
  return Promise.all(
    layers.map(async (layer) => {
      const payload = await bundle.readDocument(layer.digest);
      return checkLayer(payload, layer, digest, trust);
    }),
  );
}

function checkLayer(
  payload: Buffer,
  layer: { digest: string; annotations?: Readonly<Record<string, string>> },
  digest: string,
  trust: SignatureTrust,
): SignatureVerdict {
  if (sha256Digest(payload) !== layer.digest)
    return { ok: false, problem: `the payload ${layer.digest} does not match its digest` };
  const claim = readPayload(payload);
  const annotations = layer.annotations ?? {};
  const signature = annotations[signatureAnnotation];
  if (claim === undefined || signature === undefined)
    return {
      ok: false,
      problem: 'a layer is not a cosign simple-signing payload with its signature',
    };
  if (claim.digest !== digest)
    return { ok: false, problem: `a signature over ${claim.digest}, not this image` };
  const reference = claim.reference !== undefined ? { reference: claim.reference } : {};
  const verdict = hasSigstoreMaterial(annotations)
    ? bySigstore(payload, signature, annotations, trust)
    : byKey(payload, signature, trust);
  return verdict.ok ? { ...verdict, ...reference } : verdict;
}

function bySigstore(
  payload: Buffer,
  signature: string,
  annotations: Readonly<Record<string, string>>,
  trust: SignatureTrust,
): SignatureVerdict {
  const bundle = legacyBundle(payload, signature, annotations);
  if ('problem' in bundle) return { ok: false, problem: bundle.problem };
  return verifySigstoreBundle(bundle, payload, trust);
}

function byKey(payload: Buffer, signature: string, trust: SignatureTrust): SignatureVerdict {
  const key = trust.keys.find((k) => signatureValid(payload, signature, k.key));
  if (key !== undefined) return { ok: true, key: key.file, transparencyLog: 'absent', notes: [] };
  return trust.keys.length === 0
    ? { ok: false, problem: 'signed with a key, and no key was given', unverifiable: true }
    : { ok: false, problem: 'no given key verifies its signature' };
}
