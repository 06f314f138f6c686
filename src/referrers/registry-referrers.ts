/**
 * Finding the referrers of walked images in their registries, as the copy
 * engine's `expand` hook: for each repository, its tags are listed once
 * (one round trip per repository however many images it holds), and the
 * referrer tags about any digest an image reaches become more images to
 * copy, tags and all. What they bring is asked about in turn, so that the
 * signature of an attestation comes too.
 *
 * Not yet: the OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`)
 * for registries that keep referrers under no tag; see docs/supply-chain.md.
 */
import type { CopyRequest, PlannedImage } from '../copy/index.js';
import { BmpackError } from '../errors.js';
import { formatReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import { referrerKinds, referrerTags, type ReferrerKind } from './referrer-tags.js';

export interface ReferrerOptions {
  readonly kinds?: ReadonlySet<ReferrerKind>;
  /** A repository whose tags cannot be listed: its images go without referrers. */
  readonly onWarning?: (message: string) => void;
}

export function registryReferrers(
  client: RegistryClient,
  o: ReferrerOptions = {},
): (walked: readonly PlannedImage[]) => Promise<CopyRequest[]> {
  const kinds = o.kinds ?? new Set(referrerKinds);
  const tagLists = new Map<string, Promise<string[]>>();
  const asked = new Set<string>();
  const tagsOf = (registry: string, repository: string): Promise<string[]> => {
    const key = `${registry}/${repository}`;
    let list = tagLists.get(key);
    if (list === undefined) {
      list = listAll(client, registry, repository).catch((err: unknown) => {
        if (!(err instanceof BmpackError)) throw err;
        o.onWarning?.(`cannot list the tags of ${key} to find signatures: ${err.message}`);
        return [];
      });
      tagLists.set(key, list);
    }
    return list;
  };
  return async (walked) => {
    const found = await Promise.all(
      walked.map(async ({ request, graph }) => {
        const { registry, repository } = request.from;
        const digests = new Set([
          graph.top.digest,
          ...graph.documents.map((d) => d.digest),
          ...(graph.originalIndexDigest !== undefined ? [graph.originalIndexDigest] : []),
        ]);
        const tags = referrerTags(await tagsOf(registry, repository), digests, kinds);
        return tags.map((t) => requestFor(registry, repository, t.tag));
      }),
    );
    return found.flat().filter((r) => !asked.has(r.name) && asked.add(r.name));
  };
}

async function listAll(client: RegistryClient, registry: string, repository: string) {
  const tags: string[] = [];
  for await (const page of client.listTags({ registry, repository })) tags.push(...page);
  return tags;
}

function requestFor(registry: string, repository: string, tag: string): CopyRequest {
  const name = formatReference({ registry, repository, tag });
  // Carried as it is: a signature is about exact bytes, so no platform filter applies.
  return {
    name,
    sourceName: name,
    from: { registry, repository, tag },
    to: { repository: `${registry}/${repository}`, tag },
  };
}
