/**
 * After a push: the referrers by subject that the bundle carries, listed
 * at the target as cosign, oras and admission controllers look for them. A
 * registry that answered a manifest PUT with `OCI-Subject`, or that has the
 * referrers API, keeps them itself; on any other (distribution 2.8) the
 * fallback `sha256-<hex>` index of each subject is read, the new entries
 * added, and written back, keeping the entries already there
 * (distribution-spec "Pushing Manifests with Subject").
 */
import pLimit from 'p-limit';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { MediaType } from '../oci/media-types.js';
import { fallbackTag } from '../oci/referrer-kinds.js';
import type { RegistryClient } from '../registry/client.js';
import { mergeFallbackIndex } from './fallback-index.js';

/** A referrer pushed to `repository` of `registry`, about `subject`. */
export interface PushedReferrer {
  readonly registry: string;
  readonly repository: string;
  readonly subject: string;
  readonly descriptor: Descriptor;
}

export interface FallbackOutcome {
  /** Fallback indexes written (`REPO:sha256-<hex>`). */
  readonly written: readonly string[];
  /** Whether the target keeps referrers itself (nothing was written). */
  readonly registryKeepsReferrers: boolean;
}

export async function updateFallbackIndexes(
  client: RegistryClient,
  pushed: readonly PushedReferrer[],
): Promise<FallbackOutcome> {
  const [first] = pushed;
  if (first === undefined) return { written: [], registryKeepsReferrers: false };
  if (await keepsReferrers(client, first)) return { written: [], registryKeepsReferrers: true };
  const groups = new Map<string, PushedReferrer[]>();
  for (const p of pushed) {
    const key = `${p.registry}/${p.repository}:${fallbackTag(p.subject)}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const limit = pLimit(8);
  const written = await Promise.all(
    [...groups].map(([key, group]) => limit(() => updateOne(client, key, first, group))),
  );
  return {
    written: written.filter((w): w is string => w !== undefined),
    registryKeepsReferrers: false,
  };
}

async function keepsReferrers(client: RegistryClient, p: PushedReferrer): Promise<boolean> {
  if (client.subjectAware.has(p.registry)) return true;
  const answer = await client.listReferrers(p, p.subject);
  return answer !== undefined;
}

async function updateOne(
  client: RegistryClient,
  key: string,
  first: PushedReferrer,
  group: readonly PushedReferrer[],
): Promise<string | undefined> {
  const { registry, repository, subject } = group[0] ?? first;
  const tag = fallbackTag(subject);
  const at = { registry, repository };
  const existing = await readIndex(client, { ...at, tag }, key);
  const merged = mergeFallbackIndex(
    existing,
    group.map((g) => g.descriptor),
  );
  if (merged === undefined) return undefined;
  await client.putManifest(at, tag, merged, MediaType.ociIndex);
  return key;
}

/** The entries at the fallback tag; undefined when there is no such tag. */
async function readIndex(
  client: RegistryClient,
  ref: { registry: string; repository: string; tag: string },
  key: string,
): Promise<readonly Descriptor[] | undefined> {
  const there = await client.headManifest(ref);
  if (there === undefined) return undefined;
  const m = await client.getManifest(ref);
  if (m.manifest.kind !== 'index')
    throw new BmpackError(
      'E_REGISTRY',
      `${key} is not an image index, so it cannot list referrers`,
      {
        hint: 'The referrers tag schema keeps an index of referrers under this tag: move what is there under another tag.',
        details: { tag: key },
      },
    );
  return m.manifest.manifests;
}
