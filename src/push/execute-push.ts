/**
 * Carry out a push plan: blobs (uploads, then mounts of what was just
 * uploaded), manifests children-first, tags last and only for images whose
 * every blob and manifest is in place.
 */
import type pLimit from 'p-limit';
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
  readonly limit: ReturnType<typeof pLimit>;
  readonly onEvent?: ProgressListener;
}

export interface ExecuteOutcome {
  readonly counts: PushCounts;
  /** Images not tagged, with why. */
  readonly failed: ReadonlyArray<{ readonly image: string; readonly error: unknown }>;
}

export async function executePush(
  ctx: ExecuteContext,
  plan: PushPlan,
  imagesOf: (repo: string, digest: string) => string[],
): Promise<ExecuteOutcome> {
  const counts: PushCounts = {
    manifestsPushed: 0,
    blobsUploaded: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesUploaded: 0,
  };
  const failedRepoDigests = new Map<string, unknown>();
  await pushBlobs(ctx, plan.blobs, counts, failedRepoDigests);
  const failedImages = new Map<string, unknown>();
  for (const [key, error] of failedRepoDigests) {
    const at = key.lastIndexOf('@sha');
    for (const image of imagesOf(key.slice(0, at), key.slice(at + 1)))
      if (!failedImages.has(image)) failedImages.set(image, error);
  }
  await pushManifests(ctx, plan.manifests, counts, failedImages);
  await pushManifests(ctx, plan.tags, counts, failedImages, true);
  return { counts, failed: [...failedImages].map(([image, error]) => ({ image, error })) };
}

async function pushBlobs(
  ctx: ExecuteContext,
  actions: readonly BlobAction[],
  counts: PushCounts,
  failed: Map<string, unknown>,
): Promise<void> {
  const uploads = new Map<string, Promise<void>>();
  const run = async (a: BlobAction): Promise<void> => {
    const repo = { registry: ctx.registry, repository: a.repo };
    try {
      if (a.kind === 'mount') await uploads.get(a.blob.digest)?.catch(() => undefined);
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
      failed.set(`${a.repo}@${a.blob.digest}`, blobError(err, a, ctx.source.path));
    }
  };
  const skips = actions.filter((a) => a.kind === 'skip');
  counts.blobsSkipped += skips.length;
  const uploadActions = actions.filter((a) => a.kind === 'upload');
  if (ctx.source.randomAccess) {
    // Largest first: a big layer started last would finish alone, with the
    // other slots (and the registry's other cores) idle meanwhile.
    const bySize = [...uploadActions].sort((x, y) => y.blob.size - x.blob.size);
    for (const a of bySize)
      uploads.set(
        a.blob.digest,
        ctx.limit(() => run(a)),
      );
  } else {
    // One sequential decoder: upload in archive order, one at a time.
    const order = new Map(ctx.source.blobOrder.map((d, i) => [d, i]));
    const sorted = [...uploadActions].sort(
      (x, y) => (order.get(x.blob.digest) ?? 0) - (order.get(y.blob.digest) ?? 0),
    );
    let chain = Promise.resolve();
    for (const a of sorted) {
      chain = chain.then(() => run(a));
      uploads.set(a.blob.digest, chain);
    }
  }
  const mounts = actions.filter((a) => a.kind === 'mount').map((a) => ctx.limit(() => run(a)));
  await Promise.all([...uploads.values(), ...mounts]);
}

/**
 * Manifest PUTs run concurrently, each after the manifests it lists (an
 * index's children: distribution refuses an index whose children are
 * missing); tags, passed separately, after all of them.
 */
async function pushManifests(
  ctx: ExecuteContext,
  actions: readonly ManifestAction[],
  counts: PushCounts,
  failed: Map<string, unknown>,
  tags = false,
): Promise<void> {
  const done = new Map<string, Promise<void>>();
  const all: Promise<void>[] = [];
  const put = async (a: ManifestAction): Promise<void> => {
    if (failed.has(a.image)) return;
    if (!a.skip) {
      try {
        await ctx.client.putManifest(
          { registry: ctx.registry, repository: a.repo },
          a.reference,
          a.document.bytes,
          a.document.mediaType,
        );
        counts.manifestsPushed++;
      } catch (err) {
        failed.set(a.image, err);
      }
    }
    if (tags && !failed.has(a.image)) ctx.onEvent?.({ type: 'image-done', ref: a.image });
  };
  for (const a of actions) {
    const children = a.document.children.map(
      (c) => done.get(stateKey(a.repo, c)) ?? Promise.resolve(),
    );
    // Children are awaited outside the limit, so waiting parents hold no slot.
    const p = Promise.all(children).then(() => ctx.limit(() => put(a)));
    done.set(stateKey(a.repo, a.document.digest), p);
    all.push(p);
  }
  await Promise.all(all);
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
