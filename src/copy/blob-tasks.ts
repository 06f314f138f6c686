/**
 * The blobs of a copy as tasks, one per repository and digest, each settled
 * when the blob is in place there. What to do with a digest (skip, upload
 * once, mount elsewhere: decideBlob) is decided as soon as the target has
 * answered for that digest, so the largest blobs start uploading while the
 * sink is still being asked about the small ones.
 */
import type pLimit from 'p-limit';
import { BmpackError } from '../errors.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import type { ImageSource, StoreRepository } from '../store/index.js';
import type { CopyCounts, ExecuteContext } from './copy-context.js';
import {
  decideBlob,
  stateKey,
  type BlobAction,
  type CopyWork,
  type DigestWork,
} from './copy-plan.js';
import { bestFirst } from './best-first.js';
import { blobPriority } from './blob-priority.js';
import type { SinkProbe } from './sink-probe.js';

export type Tasks = Map<string, Promise<void>>;

/** A task whose failure is read by its dependants; never an unhandled rejection on its own. */
export function task(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

interface Settle {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export function startBlobs(
  ctx: ExecuteContext,
  work: CopyWork,
  probe: SinkProbe,
  counts: CopyCounts,
  small: ReturnType<typeof pLimit>,
): Tasks {
  const tasks: Tasks = new Map();
  const settles = new Map<string, Settle>();
  for (const d of work.digests)
    for (const repo of d.repos) {
      const key = stateKey(repo, d.blob.digest);
      tasks.set(key, task(new Promise((resolve, reject) => settles.set(key, { resolve, reject }))));
    }
  const from = new Map(work.digests.map((d) => [d.blob.digest, d.from]));
  const run = (a: BlobAction): Promise<void> =>
    moveBlob(ctx, a, from.get(a.blob.digest) ?? { registry: '', repository: '' }, counts);
  const schedule = uploadScheduler(ctx, run);
  for (const d of uploadOrder(ctx, work.digests)) {
    const decided = probe.holders(d.blob.digest).then((holders) => decision(ctx, d, holders));
    const upload = schedule(decided);
    const settle = (repo: string): Settle | undefined => settles.get(stateKey(repo, d.blob.digest));
    decided.then(
      (actions) => {
        for (const a of actions) {
          const s = settle(a.repo);
          carryOut(a, upload, () => small(() => run(a)), counts).then(
            () => s?.resolve(),
            (err: unknown) => s?.reject(err),
          );
        }
      },
      (err: unknown) => {
        for (const repo of d.repos) settle(repo)?.reject(err);
      },
    );
  }
  return tasks;
}

/** One repository's action for a blob, given the digest's upload (settled when there is none). */
function carryOut(
  a: BlobAction,
  upload: Promise<void>,
  mount: () => Promise<void>,
  counts: CopyCounts,
): Promise<void> {
  if (a.kind === 'skip') {
    counts.blobsSkipped++;
    return Promise.resolve();
  }
  if (a.kind === 'upload') return upload;
  // Mounted once its upload is done (or tried: a failed upload makes the
  // mount upload the blob itself).
  return upload.catch(() => undefined).then(mount);
}

/** decideBlob for a copy that has passed its closure check (so a missing blob is a bug). */
function decision(
  ctx: ExecuteContext,
  d: DigestWork,
  holders: readonly string[],
): readonly BlobAction[] {
  const decided = decideBlob(d, holders, ctx.source.holds(d.blob.digest));
  if (decided.missing !== undefined) {
    throw new BmpackError(
      'E_INTERNAL',
      `blob ${d.blob.digest} is neither in ${ctx.source.description} nor in ${ctx.sink.description}, after the closure check passed`,
      { hint: 'This is a bug in bmpack: please report it.' },
    );
  }
  return decided.actions;
}

/**
 * Largest first from a source that reads blobs in any order: a big layer
 * started last would finish alone, with the other slots (and the
 * registry's other cores) idle meanwhile. Archive order for a sequential
 * one; the sink's order when it has one.
 */
function uploadOrder(ctx: ExecuteContext, digests: readonly DigestWork[]): DigestWork[] {
  const { source } = ctx;
  if (source.randomAccess) return [...digests].sort((x, y) => priority(ctx, y) - priority(ctx, x));
  const order = new Map(source.blobOrder.map((d, i) => [d, i]));
  const at = (d: DigestWork): number => order.get(d.blob.digest) ?? 0;
  return [...digests].sort((x, y) => at(x) - at(y));
}

/**
 * Runs each digest's upload (if its decision has one) in a slot of its
 * own; for a sequential source, one at a time in the order asked, since
 * one decoder moves forward through the archive.
 */
function uploadScheduler(
  ctx: ExecuteContext,
  run: (a: BlobAction) => Promise<void>,
): (decided: Promise<readonly BlobAction[]>) => Promise<void> {
  const uploadOf = (actions: readonly BlobAction[]): BlobAction | undefined =>
    actions.find((a) => a.kind === 'upload');
  if (ctx.source.randomAccess) {
    const slots = bestFirst(ctx.concurrency);
    return (decided) =>
      task(
        decided.then((actions) => {
          const a = uploadOf(actions);
          return a === undefined ? undefined : slots(priority(ctx, a), () => run(a));
        }),
      );
  }
  let chain: Promise<void> = Promise.resolve();
  return (decided) => {
    chain = task(
      chain
        .catch(() => undefined)
        .then(() => decided)
        .then((actions) => {
          const a = uploadOf(actions);
          return a === undefined ? undefined : run(a);
        }),
    );
    return chain;
  };
}

function priority(
  ctx: ExecuteContext,
  d: { readonly blob: { digest: string; size: number } },
): number {
  return blobPriority(ctx.rank, d.blob);
}

async function moveBlob(
  ctx: ExecuteContext,
  a: BlobAction,
  from: StoreRepository,
  counts: CopyCounts,
): Promise<void> {
  try {
    // A sink that checks digests off the main thread: the source's stream need not hash too.
    const sinkVerifies = ctx.sink.verifiesBlobs === true;
    const open = (): BlobChunks =>
      ctx.source.openBlob(from, a.blob, undefined, sinkVerifies ? { verify: false } : {});
    const onBytes = (n: number): void => ctx.onEvent?.({ type: 'bytes', phase: 'upload', n });
    const result = await ctx.sink.putBlob(a.repo, a.blob, open, {
      onBytes,
      ...(ctx.source.verifiesBlobs === true && !sinkVerifies ? { verified: true } : {}),
      ...(a.kind === 'mount' ? { mountFrom: a.from } : {}),
    });
    if (result === 'mounted') counts.blobsMounted++;
    else {
      counts.blobsUploaded++;
      counts.bytesUploaded += a.blob.size;
    }
  } catch (err) {
    throw blobError(err, a, ctx.source);
  }
}

/** A blob whose bytes do not match its descriptor is the source's fault: say so, naming both. */
function blobError(err: unknown, a: BlobAction, source: ImageSource): unknown {
  if (
    err instanceof BmpackError &&
    (err.code === 'E_DIGEST_MISMATCH' || err.code === 'E_SIZE_MISMATCH')
  ) {
    return new BmpackError(
      err.code,
      `${source.description}: blob ${a.blob.digest} is corrupt (${err.message})`,
      {
        hint: `${source.corruptHint ?? 'The source served damaged bytes.'} Images that do not use this blob were not affected.`,
        cause: err,
        details: { blob: a.blob.digest, source: source.description },
      },
    );
  }
  return err;
}
