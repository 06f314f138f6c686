/**
 * What a push will do, decided before anything is written: per target
 * repository, each blob is skipped (already there), mounted (from another
 * repository of the target that has it or will have it), or uploaded once;
 * manifests follow their blobs, indexes their children, tags come last.
 * A blob that is neither in the bundle nor anywhere at the target makes
 * the whole push fail up front (delta bundles stay safe). Pure.
 */
import type { Descriptor } from '../oci/descriptor.js';
import { formatReference } from '../reference/index.js';
import type { PushClosure, PushDocument } from './push-closure.js';
import type { MappedImage } from './target-mapping.js';

export interface PlannedImage {
  readonly image: MappedImage;
  readonly closure: PushClosure;
}

/** What the target already holds: `repo@digest` keys, and tag → digest. */
export interface TargetState {
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
  readonly document: PushDocument;
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

export interface PushPlan {
  readonly blobs: readonly BlobAction[];
  /** By digest, children before parents. */
  readonly manifests: readonly ManifestAction[];
  /** Tag PUTs, done last and only for images that are whole. */
  readonly tags: readonly ManifestAction[];
  readonly missing: readonly MissingBlob[];
}

export const stateKey = (repo: string, digest: string): string => `${repo}@${digest}`;

export function planPush(
  images: readonly PlannedImage[],
  state: TargetState,
  inBundle: (digest: string) => boolean,
): PushPlan {
  const blobs = planBlobs(images, state, inBundle);
  const manifests: ManifestAction[] = [];
  const tags: ManifestAction[] = [];
  const queued = new Set<string>();
  for (const { image, closure } of images) {
    const repo = image.target.repository;
    const name = formatReference(image.target);
    for (const document of closure.documents) {
      const key = stateKey(repo, document.digest);
      if (queued.has(key)) continue;
      queued.add(key);
      manifests.push({
        repo,
        document,
        reference: document.digest,
        skip: state.manifests.has(key),
        image: name,
      });
    }
    const tag = image.target.tag;
    const top = closure.documents.at(-1);
    if (tag !== undefined && top !== undefined) {
      const tagKey = `${repo}:${tag}`;
      tags.push({
        repo,
        document: top,
        reference: tag,
        skip: state.tags.get(tagKey) === top.digest,
        image: name,
      });
    }
  }
  return { ...blobs, manifests, tags };
}

function planBlobs(
  images: readonly PlannedImage[],
  state: TargetState,
  inBundle: (digest: string) => boolean,
): Pick<PushPlan, 'blobs' | 'missing'> {
  const actions: BlobAction[] = [];
  const missing = new Map<string, Set<string>>();
  /** Where each digest is, or will be after its upload: a repository to mount from. */
  const holder = new Map<string, string>();
  for (const key of state.blobs) {
    const at = key.lastIndexOf('@sha');
    const digest = key.slice(at + 1);
    if (!holder.has(digest)) holder.set(digest, key.slice(0, at));
  }
  const done = new Set<string>();
  for (const { image, closure } of images) {
    const repo = image.target.repository;
    for (const blob of closure.blobs) {
      const key = stateKey(repo, blob.digest);
      if (done.has(key)) continue;
      done.add(key);
      if (state.blobs.has(key)) actions.push({ kind: 'skip', repo, blob });
      else if (holder.has(blob.digest))
        actions.push({ kind: 'mount', repo, blob, from: holder.get(blob.digest) ?? repo });
      else if (inBundle(blob.digest)) {
        actions.push({ kind: 'upload', repo, blob });
        holder.set(blob.digest, repo);
      } else {
        const users = missing.get(blob.digest) ?? new Set<string>();
        users.add(formatReference(image.target));
        missing.set(blob.digest, users);
      }
    }
  }
  return {
    blobs: actions,
    missing: [...missing].map(([digest, users]) => ({ digest, images: [...users] })),
  };
}
