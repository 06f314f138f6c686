/**
 * Where referrers hide in a registry without the OCI 1.1 referrers API, by
 * tag (pure):
 * - cosign's tags: `sha256-<hex>.sig` (signatures), `.att` (attestations),
 *   `.sbom` (SBOMs) beside the image they are about;
 * - the distribution spec's referrers tag schema ("Referrers Tag Schema"):
 *   `sha256-<hex>` holds an image index of every manifest whose `subject`
 *   is that digest.
 */

export type ReferrerKind = 'signature' | 'attestation' | 'sbom' | 'referrers';

export const referrerKinds: readonly ReferrerKind[] = [
  'signature',
  'attestation',
  'sbom',
  'referrers',
];

const suffixKind: Readonly<Record<string, ReferrerKind>> = {
  sig: 'signature',
  att: 'attestation',
  sbom: 'sbom',
};

const tagPattern = /^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})(?:\.(sig|att|sbom))?$/;

export interface ReferrerTag {
  readonly tag: string;
  /** The digest it is about. */
  readonly subject: string;
  readonly kind: ReferrerKind;
}

/** The tags among `tags` that refer to one of `digests`, of the kinds wanted. */
export function referrerTags(
  tags: readonly string[],
  digests: ReadonlySet<string>,
  kinds: ReadonlySet<ReferrerKind> = new Set(referrerKinds),
): ReferrerTag[] {
  return tags.flatMap((tag) => {
    const m = tagPattern.exec(tag);
    if (m === null) return [];
    const subject = `${m[1] ?? ''}:${m[2] ?? ''}`;
    const kind = m[3] !== undefined ? (suffixKind[m[3]] ?? 'referrers') : 'referrers';
    return digests.has(subject) && kinds.has(kind) ? [{ tag, subject, kind }] : [];
  });
}
