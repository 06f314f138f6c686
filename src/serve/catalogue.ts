/**
 * What a served bundle holds, as a registry names it (pure): each image
 * under the repository push would give it (the namespace, then the
 * image's path), its tag, and every manifest and blob it reaches. Names
 * are answered only from here, so no request path reaches the file system.
 */
import type { ImageGraph } from '../graph/index.js';
import type { Descriptor } from '../oci/descriptor.js';
import { referrerDescriptor } from '../referrers/index.js';

export interface ServedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface ServedRepository {
  readonly tags: Map<string, string>;
  readonly manifests: Map<string, ServedManifest>;
  /** Config and layer digests with their sizes. */
  readonly blobs: Map<string, number>;
  /** By subject digest: the descriptors of the manifests that refer to it (the referrers API's list). */
  readonly referrers: Map<string, Descriptor[]>;
}

export type Catalogue = ReadonlyMap<string, ServedRepository>;

export interface CatalogueImage {
  readonly repository: string;
  readonly tag?: string;
  readonly graph: ImageGraph;
}

export function buildCatalogue(images: readonly CatalogueImage[]): Catalogue {
  const repos = new Map<string, ServedRepository>();
  for (const image of images) {
    let repo = repos.get(image.repository);
    if (repo === undefined) {
      repo = { tags: new Map(), manifests: new Map(), blobs: new Map(), referrers: new Map() };
      repos.set(image.repository, repo);
    }
    if (image.tag !== undefined) repo.tags.set(image.tag, image.graph.top.digest);
    for (const d of image.graph.documents) {
      if (repo.manifests.has(d.digest)) continue;
      repo.manifests.set(d.digest, { digest: d.digest, mediaType: d.mediaType, bytes: d.bytes });
      if (d.subject === undefined) continue;
      const list = repo.referrers.get(d.subject) ?? [];
      list.push(referrerDescriptor(d.bytes, d.digest, `${image.repository}@${d.digest}`));
      repo.referrers.set(d.subject, list);
    }
    for (const b of image.graph.blobs) repo.blobs.set(b.digest, b.size);
  }
  return repos;
}

/** `n`/`last` pagination as distribution does it: names after `last`, at most `n`, in order. */
export function page(
  names: readonly string[],
  n: number | undefined,
  last: string | undefined,
): { items: string[]; more: boolean } {
  const sorted = [...names].sort();
  const from = last === undefined ? sorted : sorted.filter((x) => x > last);
  if (n === undefined) return { items: from, more: false };
  return { items: from.slice(0, n), more: from.length > n };
}
