/**
 * Carry out a push plan as a graph of tasks: each manifest is PUT as soon
 * as the blobs it lists and the manifests it lists are in place, each tag
 * as soon as its image is whole. An image whose blobs are all done is
 * tagged while larger blobs of other images are still uploading, so the
 * end of a push waits only for the last image's manifests, not for every
 * manifest of the release.
 *
 * A task that fails fails everything that depends on it: an image is
 * tagged only when every blob and manifest of it is in place.
 */
import pLimit from 'p-limit';
import type { BundleSource } from '../archive/bundle-source.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import type { RegistryClient } from '../registry/client.js';
import { type BlobAction, type ManifestAction, type PushPlan, stateKey } from './push-plan.js';

export interface PushCounts {
  manifestsPushed: number;
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  bytesUploaded: number;
}

export interface ExecuteContext {
  readonly client: RegistryClient;
  readonly source: BundleSource;
  readonly registry: string;
  /** Slots for uploads; manifests, tags and mounts (small requests) get as many again of their own. */
  readonly concurrency: number;
  readonly onEvent?: ProgressListener;
}

export interface ExecuteOutcome {
  readonly counts: PushCounts;
  /** Images not pushed whole (nothing tagged for them), with why. */
  readonly failed: ReadonlyArray<{ readonly image: string; readonly error: unknown }>;
}

/** An image to complete: `image` is its full target reference, `top` the digest of its manifest or index. */
export interface ImageGoal {
  readonly image: string;
  readonly repo: string;
  readonly top: string;
  readonly tag?: string;
}

type Tasks = Map<string, Promise<void>>;

export async function executePush(
  ctx: ExecuteContext,
  plan: PushPlan,
  goals: readonly ImageGoal[],
): Promise<ExecuteOutcome> {
  const counts: PushCounts = {
    manifestsPushed: 0,
    blobsUploaded: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesUploaded: 0,
  };
  const small = pLimit(ctx.concurrency);
  const blobs = startBlobs(ctx, plan.blobs, counts, small);
  const puts: Puts = { ctx, counts, small };
  const manifests = startManifests(puts, plan.manifests, blobs);
  const tags = startTags(puts, plan.tags, manifests);
  const failed: Array<{ image: string; error: unknown }> = [];
  await Promise.all(
    goals.map(async (g) => {
      const done =
        g.tag !== undefined
          ? tags.get(tagKey(g.repo, g.tag))
          : manifests.get(stateKey(g.repo, g.top));
      try {
        await done;
        ctx.onEvent?.({ type: 'image-done', ref: g.image });
      } catch (error) {
        failed.push({ image: g.image, error });
      }
    }),
  );
  return { counts, failed };
}

/** A task whose failure is read by its dependants; never an unhandled rejection on its own. */
function task(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

function startBlobs(
  ctx: ExecuteContext,
  actions: readonly BlobAction[],
  counts: PushCounts,
  small: ReturnType<typeof pLimit>,
): Tasks {
  const tasks: Tasks = new Map();
  const uploads = new Map<string, Promise<void>>();
  const run = async (a: BlobAction): Promise<void> => {
    const repo = { registry: ctx.registry, repository: a.repo };
    try {
      const open = (): ReturnType<BundleSource['openBlob']> => ctx.source.openBlob(a.blob.digest);
      const onBytes = (n: number): void => ctx.onEvent?.({ type: 'bytes', phase: 'upload', n });
      const result = await ctx.client.uploadBlob(repo, a.blob, open, {
        onBytes,
        ...(a.kind === 'mount' ? { mountFrom: a.from } : {}),
      });
      if (result === 'mounted') counts.blobsMounted++;
      else {
        counts.blobsUploaded++;
        counts.bytesUploaded += a.blob.size;
      }
    } catch (err) {
      throw blobError(err, a, ctx.source.path);
    }
  };
  const uploadActions = actions.filter((a) => a.kind === 'upload');
  for (const [a, p] of scheduleUploads(ctx, uploadActions, run)) {
    uploads.set(a.blob.digest, p);
    tasks.set(stateKey(a.repo, a.blob.digest), task(p));
  }
  for (const a of actions) {
    const key = stateKey(a.repo, a.blob.digest);
    if (a.kind === 'skip') {
      counts.blobsSkipped++;
      tasks.set(key, Promise.resolve());
    } else if (a.kind === 'mount') {
      // Mounted once its upload is done (or tried: a failed upload makes
      // the mount upload the blob itself).
      const upload = uploads.get(a.blob.digest)?.catch(() => undefined) ?? Promise.resolve();
      tasks.set(key, task(upload.then(() => small(() => run(a)))));
    }
  }
  return tasks;
}

/** Uploads, as promises in the order the source serves best. */
function scheduleUploads(
  ctx: ExecuteContext,
  actions: readonly BlobAction[],
  run: (a: BlobAction) => Promise<void>,
): Array<[BlobAction, Promise<void>]> {
  if (ctx.source.randomAccess) {
    // Largest first: a big layer started last would finish alone, with the
    // other slots (and the registry's other cores) idle meanwhile.
    const limit = pLimit(ctx.concurrency);
    const bySize = [...actions].sort((x, y) => y.blob.size - x.blob.size);
    return bySize.map((a) => [a, limit(() => run(a))]);
  }
  // One sequential decoder: upload in archive order, one at a time.
  const order = new Map(ctx.source.blobOrder.map((d, i) => [d, i]));
  const sorted = [...actions].sort(
    (x, y) => (order.get(x.blob.digest) ?? 0) - (order.get(y.blob.digest) ?? 0),
  );
  let chain = Promise.resolve();
  return sorted.map((a) => {
    chain = chain.catch(() => undefined).then(() => run(a));
    return [a, chain];
  });
}

/**
 * Manifest PUTs (children before parents, as planned), each after the
 * blobs it lists and, for an index, the manifests it lists.
 */
function startManifests(run: Puts, actions: readonly ManifestAction[], blobs: Tasks): Tasks {
  const tasks: Tasks = new Map();
  for (const a of actions) {
    const needs = [
      ...a.document.blobs.map((d) => blobs.get(stateKey(a.repo, d))),
      ...a.document.children.map((d) => tasks.get(stateKey(a.repo, d))),
    ];
    tasks.set(
      stateKey(a.repo, a.document.digest),
      after(needs, run.small, () => put(run, a)),
    );
  }
  return tasks;
}

/** Tag PUTs, each after its image's top manifest; keyed by repo:tag. */
function startTags(run: Puts, actions: readonly ManifestAction[], manifests: Tasks): Tasks {
  const tasks: Tasks = new Map();
  for (const a of actions) {
    const needs = [manifests.get(stateKey(a.repo, a.document.digest))];
    tasks.set(
      tagKey(a.repo, a.reference),
      after(needs, run.small, () => put(run, a)),
    );
  }
  return tasks;
}

const tagKey = (repo: string, tag: string): string => `${repo}:${tag}`;

/** `job` in a slot once every one of `needs` is done; waiting holds no slot. */
function after(
  needs: ReadonlyArray<Promise<void> | undefined>,
  small: ReturnType<typeof pLimit>,
  job: () => Promise<void>,
): Promise<void> {
  // An undefined need has no task: nothing to wait for.
  return task(Promise.all(needs.map((n) => n ?? Promise.resolve())).then(() => small(job)));
}

/** What manifest and tag PUTs share: the client, the counts and the slots for small requests. */
interface Puts {
  readonly ctx: ExecuteContext;
  readonly counts: PushCounts;
  readonly small: ReturnType<typeof pLimit>;
}

async function put({ ctx, counts }: Puts, a: ManifestAction): Promise<void> {
  if (a.skip) return;
  await ctx.client.putManifest(
    { registry: ctx.registry, repository: a.repo },
    a.reference,
    a.document.bytes,
    a.document.mediaType,
  );
  counts.manifestsPushed++;
}

function blobError(err: unknown, a: BlobAction, bundle: string): unknown {
  if (
    err instanceof BmpackError &&
    (err.code === 'E_DIGEST_MISMATCH' || err.code === 'E_SIZE_MISMATCH')
  ) {
    return new BmpackError(
      err.code,
      `bundle ${bundle}: blob ${a.blob.digest} is corrupt (${err.message})`,
      {
        hint: 'The bundle was damaged in transport. Check it with its .sha256 file and copy it again; images that do not use this blob were pushed.',
        cause: err,
        details: { blob: a.blob.digest, bundle },
      },
    );
  }
  return err;
}
