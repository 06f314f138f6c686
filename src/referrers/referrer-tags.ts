/**
 * Where referrers hide in a registry without the OCI 1.1 referrers API, by
 * tag (pure):
 * - cosign's tags: `sha256-<hex>.sig` (signatures), `.att` (attestations),
 *   `.sbom` (SBOMs) beside the image they are about;
 * - the distribution spec's referrers tag schema ("Referrers Tag Schema"):
 *   `sha256-<hex>` holds an image index of every manifest whose `subject`
 *   is that digest. Its entries are carried one by one (as the referrers
 *   API would list them), not the index itself: push rebuilds it at the
 *   target, keeping what is already there.
 */
import { referrerKinds, type ReferrerKind } from '../oci/referrer-kinds.js';

export { referrerKinds, type ReferrerKind } from '../oci/referrer-kinds.js';

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
  /** A cosign tag's kind; `index` for the referrers tag schema's index. */
  readonly kind: ReferrerKind | 'index';
}

/** A tag of cosign's or of the referrers tag schema, parsed; undefined for any other tag. */
export function parseReferrerTag(tag: string): ReferrerTag | undefined {
  const m = tagPattern.exec(tag);
  if (m === null) return undefined;
  const subject = `${m[1] ?? ''}:${m[2] ?? ''}`;
  const kind = m[3] !== undefined ? (suffixKind[m[3]] ?? 'referrers') : 'index';
  return { tag, subject, kind };
}

/**
 * The tags among `tags` that refer to one of `digests`: cosign's of the
 * kinds wanted, and the referrers tag schema's indexes whenever any kind is
 * (their entries are sorted by kind once read).
 */
export function referrerTags(
  tags: readonly string[],
  digests: ReadonlySet<string>,
  kinds: ReadonlySet<ReferrerKind> = new Set(referrerKinds),
): ReferrerTag[] {
  return tags.flatMap((tag) => {
    const t = parseReferrerTag(tag);
    if (t === undefined || !digests.has(t.subject)) return [];
    return t.kind === 'index' || kinds.has(t.kind) ? [t] : [];
  });
}
