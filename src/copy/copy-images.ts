/**
 * The one copy engine: images from any {@link ImageSource} into any
 * {@link ImageSink}. Plan first — ask the sink about every tag while the
 * images are walked in the source, then about every blob and manifest —
 * and move only what the sink lacks: largest blobs first, mounted where a
 * repository of the sink has them, each manifest after its children, each
 * tag once its image is whole.
 *
 * A source that lacks blobs its images name (a delta bundle) waits for
 * every answer and fails before anything is written when a blob is in
 * neither place; a complete source moves each blob as soon as the sink has
 * answered for it.
 */
import pLimit from 'p-limit';
import { BmpackError, ExitCode } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { reachableBytes, walkFrom } from '../graph/index.js';
import type { ImageSink, ImageSource } from '../store/index.js';
import { copyWork, planCopy, type CopyPlan, type MissingBlob } from './copy-plan.js';
import type { CopyRequest, PlannedImage } from './copy-request.js';
import type { CopyCounts } from './copy-context.js';
import { executeCopy, type ImageGoal } from './execute-copy.js';
import { incompleteError, type IncompleteWording } from './incomplete-error.js';
import { summarizePlan, type PlanSummary } from './plan-summary.js';
import { joinTags, probeSink, readTags, type TagAnswers } from './sink-probe.js';
import { bestFirst } from './best-first.js';

export interface CopyOptions {
  /** Slots for blob transfers; small requests get as many again. Default 8. */
  readonly concurrency?: number;
  /** Plan and report, write nothing. */
  readonly dryRun?: boolean;
  /** The error for blobs that neither the source nor the sink holds (default: a generic one). */
  readonly missingError?: (missing: readonly MissingBlob[]) => BmpackError;
  /** Read the configs of manifests whose descriptor names no platform, to report it. */
  readonly findPlatforms?: boolean;
  /**
   * More images that the walked ones bring along (their signatures and
   * other referrers): asked again of what it returns, until it returns
   * none, before onPlanned. Each is walked and copied like the others.
   */
  readonly expand?: (walked: readonly PlannedImage[]) => Promise<readonly CopyRequest[]>;
  /** Called once every image is walked, before anything is asked of the sink or moved. */
  readonly onPlanned?: (planned: readonly PlannedImage[]) => void | Promise<void>;
  /** The order the sink wants blobs in, lower first (default: largest first). */
  readonly rank?: (digest: string) => number;
  /** Fail with these words when an image is not copied whole (default: report it in `failed`). */
  readonly incomplete?: IncompleteWording;
  readonly onEvent?: ProgressListener;
}

/** What a use case's options pass on to the engine as they are. */
export type EngineOptions = Pick<CopyOptions, 'concurrency' | 'dryRun' | 'onEvent'>;

export function engineOptions(o: EngineOptions): EngineOptions {
  return {
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.dryRun !== undefined ? { dryRun: o.dryRun } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  };
}

export interface CopyOutcome {
  readonly images: number;
  readonly counts: CopyCounts;
  /** Images copied whole, with the digest of what they point at (a filtered index's own). */
  readonly copied: ReadonlyArray<{ readonly name: string; readonly digest: string }>;
  /** Images not copied whole (nothing tagged for them), with why. */
  readonly failed: ReadonlyArray<{ readonly image: string; readonly error: unknown }>;
  /** With dryRun: what would be done. */
  readonly plan?: PlanSummary;
}

export const defaultCopyConcurrency = 8;

export async function copyImages(
  requests: readonly CopyRequest[],
  source: ImageSource,
  sink: ImageSink,
  o: CopyOptions = {},
): Promise<CopyOutcome> {
  const concurrency = o.concurrency ?? defaultCopyConcurrency;
  o.onEvent?.({ type: 'phase', phase: 'plan' });
  // Existence checks are small: ask more of them at once than transfers.
  const heads = bestFirst(Math.max(16, 4 * concurrency));
  // Tags are asked about while the images are walked, in slots of their own,
  // so that blob questions need not wait behind every tag.
  const tagSlots = bestFirst(Math.max(8, 2 * concurrency));
  const tags = readTags(sink, requests, tagSlots);
  const names = checkNames(sink, requests, tags, o);
  names.catch(() => undefined);
  // Images are walked a few at a time each (a walk reads its children concurrently).
  const walks = pLimit(4 * concurrency);
  const walkAll = (batch: readonly CopyRequest[]): Promise<PlannedImage[]> =>
    allOrFirstError(
      batch.map((r) => walks(() => walkRequest(source, r, o.findPlatforms === true))),
    );
  const planned = await walkAll(requests);
  const extraTags: TagAnswers[] = [];
  for (let batch = planned; o.expand !== undefined && batch.length > 0;) {
    const extra = await o.expand(batch);
    extraTags.push(readTags(sink, extra, tagSlots));
    batch = await walkAll(extra);
    planned.push(...batch);
  }
  await o.onPlanned?.(planned);
  const work = copyWork(planned);
  const allTags = joinTags([tags, ...extraTags]);
  const probe = probeSink(sink, planned, work, allTags, heads, o.rank);
  // Nothing is written before the names are known to be taken.
  await names;
  const held = (d: string): boolean => source.holds(d);
  let plan: Promise<CopyPlan> = probe.state.then((state) => planCopy(planned, state, held));
  if (o.dryRun === true || !work.digests.every((d) => held(d.blob.digest))) {
    const whole = await plan;
    if (whole.missing.length > 0) throw (o.missingError ?? missingError)(whole.missing);
    if (o.dryRun === true) return dryRun(planned.length, whole);
    plan = Promise.resolve(whole);
  }
  o.onEvent?.({ type: 'images-total', total: planned.length });
  reportUploadTotal(plan, o.onEvent);
  const ctx = {
    source,
    sink,
    concurrency,
    ...(o.rank ? { rank: o.rank } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  };
  const outcome = await executeCopy(ctx, work, probe, planned.map(goalOf));
  // A failed question fails the copy as itself (an authorization problem, say).
  await probe.state;
  if (outcome.failed.length > 0 && o.incomplete !== undefined)
    throw incompleteError(outcome.failed, planned.length, o.incomplete);
  const failed = new Set(outcome.failed.map((f) => f.image));
  const copied = planned
    .filter((p) => !failed.has(p.request.name))
    .map((p) => ({ name: p.request.name, digest: p.graph.top.digest }));
  return { images: planned.length, counts: outcome.counts, copied, failed: outcome.failed };
}

/**
 * The sink's preflight of the target names, alongside the walks, once one
 * image is known to need writing (every name then, its depths asked once
 * each); none when every tag already names its image: a finished push run
 * again asks nothing more. A dry run that may not ask (no credentials) says
 * so and goes on: it writes nothing either way.
 */
async function checkNames(
  sink: ImageSink,
  requests: readonly CopyRequest[],
  tags: TagAnswers,
  o: CopyOptions,
): Promise<void> {
  if (sink.checkRepositories === undefined) return;
  if (!(await writesSomething(requests, tags))) return;
  const repositories = [...new Set(requests.map((r) => r.to.repository))];
  try {
    await sink.checkRepositories(repositories);
  } catch (err) {
    if (o.dryRun !== true || !(err instanceof BmpackError) || err.exitCode !== ExitCode.auth)
      throw err;
    o.onEvent?.({
      type: 'warning',
      message: `could not check that ${sink.description} takes the repository names (${err.message}); a push may still refuse them`,
    });
  }
}

/**
 * True as soon as one image is known to need writing (no tag, or its tag
 * not yet naming its digest); false once every tag names its image. A
 * registry may refuse the tag questions for a name it does not take: that
 * counts as writing, so that the refusal is reported as such.
 */
function writesSomething(requests: readonly CopyRequest[], tags: TagAnswers): Promise<boolean> {
  return new Promise((resolve) => {
    let left = requests.length;
    if (left === 0) resolve(false);
    for (const r of requests) {
      const { repository, tag } = r.to;
      const answer =
        tag === undefined || r.top === undefined
          ? Promise.resolve(undefined)
          : tags.get(`${repository}:${tag}`);
      answer.then(
        (digest) => {
          if (digest === undefined || digest !== r.top?.digest) resolve(true);
          else if (--left === 0) resolve(false);
        },
        () => {
          resolve(true);
        },
      );
    }
  });
}

/**
 * Every value, or the first failure in list order once every promise has
 * settled: a failed walk must not return while the others still fetch
 * (and write configs into the cache) behind the caller's back.
 */
async function allOrFirstError<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const values: T[] = [];
  for (const r of settled) {
    if (r.status === 'rejected') throw r.reason;
    values.push(r.value);
  }
  return values;
}

async function walkRequest(
  source: ImageSource,
  r: CopyRequest,
  findPlatforms: boolean,
): Promise<PlannedImage> {
  const top = r.top ?? (await source.resolve(r.from));
  const graph = await walkFrom(source, r.from, top, {
    name: r.sourceName,
    findPlatforms,
    ...(r.where !== undefined ? { where: r.where } : {}),
    ...(r.platforms !== undefined ? { platforms: r.platforms } : {}),
    ...(r.pinned !== undefined ? { pinned: r.pinned } : {}),
  });
  return { request: r, graph };
}

/** The bytes to send, once the sink has answered everything (transfers may have begun). */
function reportUploadTotal(plan: Promise<CopyPlan>, onEvent: ProgressListener | undefined): void {
  plan.then(
    (p) => {
      const total = p.blobs.reduce((n, a) => n + (a.kind === 'upload' ? a.blob.size : 0), 0);
      onEvent?.({ type: 'bytes-total', phase: 'upload', total });
    },
    () => undefined,
  );
}

function dryRun(images: number, plan: CopyPlan): CopyOutcome {
  const counts = {
    manifestsPushed: 0,
    blobsUploaded: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesUploaded: 0,
  };
  return {
    images,
    counts,
    copied: [],
    failed: [],
    plan: summarizePlan(plan),
  };
}

function goalOf({ request, graph }: PlannedImage): ImageGoal {
  return {
    image: request.name,
    repo: request.to.repository,
    top: graph.top.digest,
    ...(request.to.tag !== undefined ? { tag: request.to.tag } : {}),
    bytes: reachableBytes(graph, [graph.top.digest]),
  };
}

function missingError(missing: readonly MissingBlob[]): BmpackError {
  const list = missing.slice(0, 5).map((m) => `${m.digest} (used by ${m.images.join(', ')})`);
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
  return new BmpackError(
    'E_CLOSURE_MISSING',
    `${missing.length} blobs are in neither the source nor the target: ${list.join('; ')}${more}. Nothing was copied.`,
    {
      hint: 'Copy from a source that holds them, or copy the images that hold them first.',
      details: { missing: missing.length },
    },
  );
}
