/**
 * cosign's tag-stored signature (`sha256-<hex>.sig`, cosign sign --key,
 * cosign specs/SIGNATURE_SPEC.md), checked offline: each simple-signing
 * layer's payload against its digest, its claim (`docker-manifest-digest`)
 * against the image, its `dev.cosignproject.cosign/signature` against the
 * keys. A layer that carries a certificate instead (keyless cosign 2) is
 * reported as not checkable here.
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
import type { PublicKeyFile } from './signature-trust.js';
import type { SignatureVerdict } from './signature-verdict.js';

const certificateAnnotation = 'dev.sigstore.cosign/certificate';

export async function checkCosignSignature(
  bundle: BundleSource,
  digest: string,
  signatureManifest: string,
  keys: readonly PublicKeyFile[],
): Promise<SignatureVerdict[]> {
  const bytes = await bundle.readDocument(signatureManifest);
  const manifest = parseManifest(bytes, undefined, signatureManifest);
  if (manifest.kind !== 'manifest')
    return [{ ok: false, problem: `${signatureManifest} is an index, not a cosign signature` }];
  const layers = manifest.layers.filter((l) => l.mediaType === simpleSigningMediaType);
  return Promise.all(
    layers.map(async (layer) => {
      const payload = await bundle.readDocument(layer.digest);
      return checkLayer(payload, layer, digest, keys);
    }),
  );
}

function checkLayer(
  payload: Buffer,
  layer: { digest: string; annotations?: Readonly<Record<string, string>> },
  digest: string,
  keys: readonly PublicKeyFile[],
): SignatureVerdict {
  if (sha256Digest(payload) !== layer.digest)
    return { ok: false, problem: `the payload ${layer.digest} does not match its digest` };
  const claim = readPayload(payload);
  const signature = layer.annotations?.[signatureAnnotation];
  if (claim === undefined || signature === undefined)
    return {
      ok: false,
      problem: 'a layer is not a cosign simple-signing payload with its signature',
    };
  if (claim.digest !== digest)
    return { ok: false, problem: `a signature over ${claim.digest}, not this image` };
  const key = keys.find((k) => signatureValid(payload, signature, k.key));
  const reference = claim.reference !== undefined ? { reference: claim.reference } : {};
  if (key !== undefined)
    return { ok: true, key: key.file, ...reference, transparencyLog: 'absent', notes: [] };
  if (layer.annotations?.[certificateAnnotation] !== undefined)
    return {
      ok: false,
      problem:
        'a keyless cosign signature (certificate in the tag-stored format), which bmpack does not check offline',
      unverifiable: true,
    };
  return {
    ok: false,
    problem:
      keys.length === 0
        ? 'signed with a key, and no key was given'
        : 'no given key verifies its signature',
    ...(keys.length === 0 ? { unverifiable: true as const } : {}),
  };
}
