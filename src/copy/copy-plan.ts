/**
 * What a copy will do, decided before anything is written: per sink
 * repository, each blob is skipped (already there), mounted (from another
 * repository of the sink that has it or will have it), or sent once;
 * manifests follow their blobs, indexes their children, tags come last.
 * A blob that is neither in the source nor anywhere in the sink makes the
 * whole copy fail up front (delta bundles stay safe). Pure.
 */
import type { GraphDocument } from '../graph/index.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { StoreRepository } from '../store/index.js';
import type { PlannedImage } from './copy-request.js';

/** What the sink already holds: `repo@digest` keys, and tag → digest. */
export interface SinkState {
  readonly blobs: ReadonlySet<string>;
  readonly manifests: ReadonlySet<string>;
  readonly tags: ReadonlyMap<string, string>;
}

export type BlobAction =
  | { readonly kind: 'skip'; readonly repo: string; readonly blob: Descriptor }
  | { readonly kind: 'upload'; readonly repo: string; readonly blob: Descriptor }
  | {
      readonly kind: 'mount';
      readonly repo: string;
      readonly blob: Descriptor;
      readonly from: string;
    };

export interface ManifestAction {
  readonly repo: string;
  readonly document: GraphDocument;
  /** A digest (children, untagged images) or the image's tag. */
  readonly reference: string;
  readonly skip: boolean;
  /** The image this manifest completes (for tags). */
  readonly image: string;
}

export interface MissingBlob {
  readonly digest: string;
  readonly images: readonly string[];
}

export interface CopyPlan {
  readonly blobs: readonly BlobAction[];
  /** By digest, children before parents. */
  readonly manifests: readonly ManifestAction[];
  /** Tag PUTs, done last and only for images that are whole. */
  readonly tags: readonly ManifestAction[];
  readonly missing: readonly MissingBlob[];
}

export const stateKey = (repo: string, digest: string): string => `${repo}@${digest}`;

/** One blob and where it must end up: its repositories in image order, and the images using it. */
export interface DigestWork {
  readonly blob: Descriptor;
  /** Where the source reads it (the first image that uses it). */
  readonly from: StoreRepository;
  readonly repos: readonly string[];
  readonly images: readonly string[];
}

/** A manifest or tag PUT as the source requires it, before the sink is asked anything. */
export type ManifestWork = Omit<ManifestAction, 'skip'>;

/** What the source asks of the sink, independent of what the sink holds. Pure. */
export interface CopyWork {
  /** Each digest once. */
  readonly digests: readonly DigestWork[];
  /** By repository and digest, each once, children before parents. */
  readonly manifests: readonly ManifestWork[];
  readonly tags: readonly ManifestWork[];
}

export function copyWork(images: readonly PlannedImage[]): CopyWork {
  const digests = new Map<string, DigestWork & { repos: string[]; images: string[] }>();
  const manifests: ManifestWork[] = [];
  const tags: ManifestWork[] = [];
  const queued = new Set<string>();
  for (const { request, graph } of images) {
    const repo = request.to.repository;
    const name = request.name;
    for (const blob of graph.blobs) {
      const d = digests.get(blob.digest) ?? { blob, from: request.from, repos: [], images: [] };
      digests.set(blob.digest, d);
      if (!d.repos.includes(repo)) d.repos.push(repo);
      if (!d.images.includes(name)) d.images.push(name);
    }
    for (const document of graph.documents) {
      const key = stateKey(repo, document.digest);
      if (queued.has(key)) continue;
      queued.add(key);
      manifests.push({ repo, document, reference: document.digest, image: name });
    }
    const tag = request.to.tag;
    const top = graph.documents.at(-1);
    if (tag !== undefined && top !== undefined)
      tags.push({ repo, document: top, reference: tag, image: name });
  }
  return { digests: [...digests.values()], manifests, tags };
}

/**
 * What to do with one blob, given the repositories of the sink that hold
 * it (`holders`, any repository): skip where it is, upload it once (to the
 * first repository that needs it) when no repository has it, mount it
 * everywhere else. Missing when it is neither in the sink nor in the source.
 */
export function decideBlob(
  work: DigestWork,
  holders: readonly string[],
  inSource: boolean,
): { readonly actions: readonly BlobAction[]; readonly missing?: MissingBlob } {
  const { blob } = work;
  let holder = holders[0];
  if (holder === undefined && !inSource)
    return { actions: [], missing: { digest: blob.digest, images: work.images } };
  const actions: BlobAction[] = [];
  for (const repo of work.repos) {
    if (holders.includes(repo)) actions.push({ kind: 'skip', repo, blob });
    else if (holder !== undefined) actions.push({ kind: 'mount', repo, blob, from: holder });
    else {
      actions.push({ kind: 'upload', repo, blob });
      holder = repo;
    }
  }
  return { actions };
}

/** A manifest needs no PUT when its repository has it; a tag when it already names the digest. */
export function decideManifest(m: ManifestWork, state: SinkState): ManifestAction {
  return { ...m, skip: state.manifests.has(stateKey(m.repo, m.document.digest)) };
}

export function decideTag(t: ManifestWork, tags: ReadonlyMap<string, string>): ManifestAction {
  return { ...t, skip: tags.get(`${t.repo}:${t.reference}`) === t.document.digest };
}

/** The whole plan, once the sink has answered everything. */
export function planCopy(
  images: readonly PlannedImage[],
  state: SinkState,
  inSource: (digest: string) => boolean,
): CopyPlan {
  const work = copyWork(images);
  const holders = holdersIn(state);
  const blobs: BlobAction[] = [];
  const missing: MissingBlob[] = [];
  for (const d of work.digests) {
    const at = holders.get(d.blob.digest) ?? [];
    const decided = decideBlob(d, at, inSource(d.blob.digest));
    blobs.push(...decided.actions);
    if (decided.missing !== undefined) missing.push(decided.missing);
  }
  return {
    blobs,
    manifests: work.manifests.map((m) => decideManifest(m, state)),
    tags: work.tags.map((t) => decideTag(t, state.tags)),
    missing,
  };
}

/** For each digest, the repositories the state says hold it. */
function holdersIn(state: SinkState): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const key of state.blobs) {
    const at = key.lastIndexOf('@');
    const digest = key.slice(at + 1);
    holders.set(digest, [...(holders.get(digest) ?? []), key.slice(0, at)]);
  }
  return holders;
}
