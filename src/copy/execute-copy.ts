/**
 * Carry out a copy plan as a graph of tasks: each manifest is PUT as soon
 * as the blobs it lists and the manifests it lists are in place, each tag
 * as soon as its image is whole. An image whose blobs are all done is
 * tagged while larger blobs of other images are still uploading, so the
 * end of a copy waits only for the last image's manifests, not for every
 * manifest of the release.
 *
 * A task that fails fails everything that depends on it: an image is
 * tagged only when every blob and manifest of it is in place.
 */
import pLimit from 'p-limit';
import type { CopyCounts, ExecuteContext } from './copy-context.js';
import { startBlobs, task, type Tasks } from './blob-tasks.js';
import {
  decideTag,
  stateKey,
  type CopyWork,
  type ManifestAction,
  type ManifestWork,
} from './copy-plan.js';
import type { SinkProbe, TagAnswers } from './sink-probe.js';

export interface ExecuteOutcome {
  readonly counts: CopyCounts;
  /** Images not copied whole (nothing tagged for them), with why. */
  readonly failed: ReadonlyArray<{ readonly image: string; readonly error: unknown }>;
}

/** An image to complete: `image` is its full target reference, `top` the digest of its manifest or index. */
export interface ImageGoal {
  readonly image: string;
  readonly repo: string;
  readonly top: string;
  readonly tag?: string;
  /** All the image reaches, for progress. */
  readonly bytes: number;
}

export async function executeCopy(
  ctx: ExecuteContext,
  work: CopyWork,
  probe: SinkProbe,
  goals: readonly ImageGoal[],
): Promise<ExecuteOutcome> {
  const counts: CopyCounts = {
    manifestsPushed: 0,
    blobsUploaded: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesUploaded: 0,
  };
  const small = pLimit(ctx.concurrency);
  const blobs = startBlobs(ctx, work, probe, counts, small);
  const puts: Puts = { ctx, counts, small };
  const manifests = startManifests(puts, work.manifests, blobs, probe);
  const tags = startTags(puts, work.tags, manifests, probe.tags);
  const failed: Array<{ image: string; error: unknown }> = [];
  const started = performance.now();
  // Every image's tasks are scheduled at once: they all begin now.
  for (const g of goals) ctx.onEvent?.({ type: 'image-start', ref: g.image, bytes: g.bytes });
  await Promise.all(
    goals.map(async (g) => {
      const done =
        g.tag !== undefined
          ? tags.get(tagKey(g.repo, g.tag))
          : manifests.get(stateKey(g.repo, g.top));
      try {
        await done;
        const seconds = Math.round((performance.now() - started) / 10) / 100;
        ctx.onEvent?.({ type: 'image-done', ref: g.image, bytes: g.bytes, seconds });
      } catch (error) {
        failed.push({ image: g.image, error });
      }
    }),
  );
  return { counts, failed };
}

/**
 * Manifest PUTs (children before parents, as planned), each after the
 * blobs it lists and, for an index, the manifests it lists; a referrer
 * after its subject, when the subject goes up in the same copy (OCI
 * distribution-spec "Pushing Manifests with Subject": the subject first,
 * so that a registry can index the referrer and clients never see a
 * signature of something absent).
 */
function startManifests(
  run: Puts,
  manifests: readonly ManifestWork[],
  blobs: Tasks,
  probe: SinkProbe,
): Tasks {
  const tasks: Tasks = new Map();
  const start = (m: ManifestWork): void => {
    const present = probe.hasManifest(m.repo, m.document.digest);
    const needs = [
      ...m.document.blobs.map((d) => blobs.get(stateKey(m.repo, d))),
      ...m.document.children.map((d) => tasks.get(stateKey(m.repo, d))),
      ...(m.document.subject !== undefined
        ? [tasks.get(stateKey(m.repo, m.document.subject))]
        : []),
      present.then(() => undefined),
    ];
    tasks.set(
      stateKey(m.repo, m.document.digest),
      after(needs, run.small, async () => put(run, { ...m, skip: await present })),
    );
  };
  const keys = new Set(manifests.map((m) => stateKey(m.repo, m.document.digest)));
  let waiting = [...manifests];
  // Referrers wait for subjects planned anywhere in the copy: start, in rounds,
  // every manifest whose subject and children have tasks or are not part of this copy.
  while (waiting.length > 0) {
    const ready = waiting.filter((m) =>
      [...m.document.children, ...(m.document.subject !== undefined ? [m.document.subject] : [])]
        .map((d) => stateKey(m.repo, d))
        .every((key) => tasks.has(key) || !keys.has(key)),
    );
    // Digests cannot form a cycle; should one appear, nothing waits for it.
    for (const m of ready.length > 0 ? ready : waiting) start(m);
    const started = new Set(ready.length > 0 ? ready : waiting);
    waiting = waiting.filter((m) => !started.has(m));
  }
  return tasks;
}

/** Tag PUTs, each after its image's top manifest and the sink's answer for the tag; keyed by repo:tag. */
function startTags(
  run: Puts,
  tags: readonly ManifestWork[],
  manifests: Tasks,
  existing: TagAnswers,
): Tasks {
  const tasks: Tasks = new Map();
  for (const t of tags) {
    const key = tagKey(t.repo, t.reference);
    const answer = existing.get(key);
    const needs = [
      manifests.get(stateKey(t.repo, t.document.digest)),
      answer.then(() => undefined),
    ];
    tasks.set(
      key,
      after(needs, run.small, async () => {
        const named = await answer;
        await put(run, decideTag(t, new Map(named !== undefined ? [[key, named]] : [])));
      }),
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
  readonly counts: CopyCounts;
  readonly small: ReturnType<typeof pLimit>;
}

async function put({ ctx, counts }: Puts, a: ManifestAction): Promise<void> {
  if (a.skip) return;
  await ctx.sink.putManifest(a.repo, a.reference, a.document.bytes, a.document.mediaType);
  counts.manifestsPushed++;
}
