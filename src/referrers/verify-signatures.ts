/**
 * `bundle verify` with keys or a trusted root: the signatures a bundle
 * carries, checked with no network. For each image (not itself a referrer):
 * - cosign's tag-stored signature, `sha256-<hex>.sig` beside it;
 * - Sigstore bundles that refer to it (cosign v3: an OCI 1.1 referrer whose
 *   artifactType is `application/vnd.dev.sigstore.bundle…+json`), as
 *   bmpack.json records them.
 * An image is signed when one of them verifies (as `cosign verify` passes
 * when one does); otherwise the report says why not, telling a wrong
 * signature from one that cannot be checked with what was given.
 */
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import { isSigstoreBundleType } from '../oci/referrer-kinds.js';
import { parseManifest } from '../oci/manifest.js';
import { fallbackRepository, listedReference } from '../reference/index.js';
import { checkCosignSignature } from './cosign-signature-check.js';
import { parseReferrerTag, referrerTags } from './referrer-tags.js';
import type { CertificateIdentity, SignatureTrust } from './signature-trust.js';
import type { SignatureVerdict, TransparencyLog } from './signature-verdict.js';
import { checkSigstoreBundle } from './sigstore-bundle-check.js';

export interface SignatureCheck {
  readonly image: string;
  readonly digest: string;
  /** `unverified`: signed, but not checkable with the keys, root or identity given. */
  readonly status: 'signed' | 'unsigned' | 'invalid' | 'unverified';
  /** How the verifying signature is stored. */
  readonly form?: 'cosign-tag' | 'sigstore-bundle';
  /** The key file that verified it. */
  readonly key?: string;
  /** The certificate identity that verified it. */
  readonly identity?: CertificateIdentity;
  /** The docker-reference the payload names. */
  readonly reference?: string;
  readonly transparencyLog?: TransparencyLog;
  /** Why it is not signed, or what could not be checked offline. */
  readonly problems: readonly string[];
}

export async function verifySignatures(
  path: string,
  trust: SignatureTrust,
): Promise<SignatureCheck[]> {
  const bundle = await openBundleSource(path);
  try {
    return await checkAll(bundle, trust);
  } finally {
    await bundle.close();
  }
}

interface Candidate {
  readonly form: 'cosign-tag' | 'sigstore-bundle';
  readonly check: () => Promise<SignatureVerdict[]>;
}

async function checkAll(bundle: BundleSource, trust: SignatureTrust): Promise<SignatureCheck[]> {
  const fallback = fallbackRepository(bundle.path);
  const named = bundle.images.map((i) => ({ ...i, ref: listedReference(i.name, fallback).ref }));
  const links = new Map(
    (bundle.metadata?.images ?? []).flatMap((i) =>
      i.referrer !== undefined ? [[i.ref, i.referrer] as const] : [],
    ),
  );
  // bmpack.json says which images are referrers; for an archive without it, their tags do.
  const isReferrer = (name: string, tag: string | undefined): boolean =>
    links.has(name) || (tag !== undefined && parseReferrerTag(tag) !== undefined);
  const subjects = named.filter((i) => !isReferrer(i.name, i.ref.tag));
  return Promise.all(
    subjects.map(async (s) => {
      const digest = s.descriptor.digest;
      const repo = `${s.ref.registry}/${s.ref.repository}`;
      const byTag: Candidate[] = named
        .filter(
          (i) =>
            `${i.ref.registry}/${i.ref.repository}` === repo &&
            i.ref.tag !== undefined &&
            referrerTags([i.ref.tag], new Set([digest]), new Set(['signature'])).length > 0,
        )
        .map((sig) => ({
          form: 'cosign-tag',
          check: () => checkCosignSignature(bundle, digest, sig.descriptor.digest, trust),
        }));
      const bySubject: Candidate[] = named
        .filter((i) => {
          const link = links.get(i.name);
          return (
            link?.kind === 'signature' &&
            link.subject === digest &&
            isSigstoreBundleType(link.artifactType ?? '')
          );
        })
        .map((r) => ({
          form: 'sigstore-bundle',
          check: () => checkBundleReferrer(bundle, digest, r.descriptor.digest, trust),
        }));
      return judge(s.name, digest, [...byTag, ...bySubject]);
    }),
  );
}

/** A Sigstore bundle referrer: its layers of the bundle media type, each checked. */
async function checkBundleReferrer(
  bundle: BundleSource,
  digest: string,
  referrer: string,
  trust: SignatureTrust,
): Promise<SignatureVerdict[]> {
  const manifest = parseManifest(await bundle.readDocument(referrer), undefined, referrer);
  if (manifest.kind !== 'manifest') return [];
  const layers = manifest.layers.filter((l) => isSigstoreBundleType(l.mediaType));
  const image = { digest, manifest: () => bundle.readDocument(digest) };
  return Promise.all(
    layers.map(async (l) => checkSigstoreBundle(await bundle.readDocument(l.digest), image, trust)),
  );
}

async function judge(
  image: string,
  digest: string,
  candidates: readonly Candidate[],
): Promise<SignatureCheck> {
  if (candidates.length === 0) return { image, digest, status: 'unsigned', problems: [] };
  const verdicts = await Promise.all(
    candidates.map(async (c) => (await c.check()).map((v) => ({ form: c.form, v }))),
  );
  const all = verdicts.flat();
  const good = all.find((x) => x.v.ok);
  if (good !== undefined && good.v.ok) {
    const { key, identity, reference, transparencyLog, notes } = good.v;
    return {
      image,
      digest,
      status: 'signed',
      form: good.form,
      ...(key !== undefined ? { key } : {}),
      ...(identity !== undefined ? { identity } : {}),
      ...(reference !== undefined ? { reference } : {}),
      transparencyLog,
      problems: notes,
    };
  }
  const failed = all.flatMap((x) => (x.v.ok ? [] : [x.v]));
  const status =
    failed.length > 0 && failed.every((f) => f.unverifiable === true) ? 'unverified' : 'invalid';
  const problems =
    failed.length > 0 ? failed.map((f) => f.problem) : ['its signature carries no signed layer'];
  return { image, digest, status, problems };
}
