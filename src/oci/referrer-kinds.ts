/**
 * What kind of thing refers to an image (pure): how bmpack sorts referrers
 * for `--referrers` and for `bundle inspect`.
 * - `signature`: cosign's `.sig` tag, a Sigstore bundle;
 * - `attestation`: cosign's `.att` tag, an in-toto statement or DSSE envelope;
 * - `sbom`: cosign's `.sbom` tag, an SPDX or CycloneDX document;
 * - `referrers`: any other OCI 1.1 artifact with a `subject`.
 */
export type ReferrerKind = 'signature' | 'attestation' | 'sbom' | 'referrers';

export const referrerKinds: readonly ReferrerKind[] = [
  'signature',
  'attestation',
  'sbom',
  'referrers',
];

export function isReferrerKind(value: unknown): value is ReferrerKind {
  return referrerKinds.some((k) => k === value);
}

/** Media types of a Sigstore bundle (sigstore protobuf-specs: `application/vnd.dev.sigstore.bundle…`). */
export function isSigstoreBundleType(type: string): boolean {
  return /^application\/vnd\.dev\.sigstore\.bundle(\.v[0-9.]+)?\+json/.test(type);
}

const attestationTypes = [
  'application/vnd.in-toto+json',
  'application/vnd.dsse.envelope.v1+json',
  'application/vnd.dev.cosign.artifact.att.v1+json',
];

const sbomTypes = [
  'application/spdx+json',
  'text/spdx',
  'application/vnd.cyclonedx+json',
  'application/vnd.cyclonedx+xml',
  'application/vnd.syft+json',
  'application/vnd.dev.cosign.artifact.sbom.v1+json',
];

/** cosign v3's predicate type for an image signature (a DSSE in-toto statement in a Sigstore bundle). */
export const cosignSignPredicate = 'https://sigstore.dev/cosign/sign/v1';

/** Where cosign names a Sigstore bundle's predicate type (cosign specs/BUNDLE_SPEC.md "Annotations"). */
export const bundlePredicateAnnotation = 'dev.sigstore.bundle.predicateType';

/**
 * The kind of an OCI 1.1 referrer from its `artifactType` (or, without one,
 * its config media type: image-spec manifest.md "artifactType"). A Sigstore
 * bundle is a signature unless its descriptor names another predicate type
 * than cosign's image signature: then it is an attestation (`cosign attest`
 * in the bundle format).
 */
export function kindOfArtifact(
  artifactType: string | undefined,
  annotations?: Readonly<Record<string, string>>,
): ReferrerKind {
  const type = (artifactType ?? '').split(';')[0]?.trim() ?? '';
  const predicate = annotations?.[bundlePredicateAnnotation];
  if (isSigstoreBundleType(type))
    return predicate === undefined || predicate === cosignSignPredicate
      ? 'signature'
      : 'attestation';
  if (type === 'application/vnd.dev.cosign.artifact.sig.v1+json') return 'signature';
  if (attestationTypes.includes(type)) return 'attestation';
  if (sbomTypes.includes(type)) return 'sbom';
  return 'referrers';
}

/** The referrers tag schema's tag for `digest` (distribution-spec: `<alg>-<ref>`). */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-');
}

/** What a carried referrer is about, as `bmpack.json` records it. */
export interface ReferrerLink {
  /** The listed image it belongs to (its full reference as listed): a signature of an attestation belongs to the attestation's image. */
  readonly of: string;
  /** The digest it refers to: the image's, one of its platform manifests', or another referrer's. */
  readonly subject: string;
  readonly kind: ReferrerKind;
  /** An OCI 1.1 artifact's type; for an attestation found by a cosign tag, nothing. */
  readonly artifactType?: string;
  /** Where it was found: cosign's tag beside the image, or by subject (the referrers API or its fallback tag). */
  readonly via: 'tag' | 'subject';
  /** An attestation's predicate types (in-toto), from its layers' annotations. */
  readonly predicateTypes?: readonly string[];
}

/**
 * The predicate types an attestation manifest names on its layers: cosign
 * writes `predicateType`, BuildKit and oras `in-toto.io/predicate-type`.
 */
export function predicateTypesOf(
  layers: ReadonlyArray<{ readonly annotations?: Readonly<Record<string, string>> }>,
): string[] {
  const types = layers.flatMap((l) => {
    const t = l.annotations?.predicateType ?? l.annotations?.['in-toto.io/predicate-type'];
    return t !== undefined && t !== '' ? [t] : [];
  });
  return [...new Set(types)];
}
