/**
 * `bmpack push images`: replay a bundle into a (namespaced) private
 * registry straight from the archive. Plan first — map every image, read
 * every closure, HEAD everything at the target, check that nothing is
 * missing — then move only what the target lacks.
 */
import pLimit from 'p-limit';
import { openBundleSource } from '../archive/index.js';
import type { BundleSource } from '../archive/bundle-source.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { formatReference } from '../reference/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { executePush, type ImageGoal, type PushCounts } from './execute-push.js';
import { parsePrivateRegistry } from './private-registry.js';
import { readClosure } from './push-closure.js';
import { planPush, pushWork, type PlannedImage, type PushPlan } from './push-plan.js';
import { fallbackRepository, mapImages, type MappedImage } from './target-mapping.js';
import { probeTarget, readTags } from './target-state.js';
import { summarizePlan, type PlanSummary } from './plan-summary.js';

export interface PushImagesOptions {
  readonly source: string;
  readonly privateRegistry: string;
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  readonly concurrency?: number;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

export interface PushImagesResult extends PushCounts {
  readonly images: number;
  readonly seconds: number;
  readonly warnings: readonly string[];
  /** With --dry-run: what would be done. */
  readonly plan?: PlanSummary;
}

export const defaultPushConcurrency = 8;

export async function pushImages(o: PushImagesOptions): Promise<PushImagesResult> {
  const started = performance.now();
  const target = parsePrivateRegistry(o.privateRegistry);
  const client = new RegistryClient({
    hosts: { [target.registry]: o.host ?? {} },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: (e) => o.onEvent?.({ type: 'retry', ...e }),
  });
  // The registry's ping runs while the bundle is opened.
  client.warmUp(target.registry);
  // Every blob's sha256 is verified as it is uploaded; the xz CRCs would be a second pass.
  const source = await openBundleSource(o.source, { containerChecks: false }).catch(
    async (err: unknown) => {
      await client.close();
      throw err;
    },
  );
  try {
    const concurrency = o.concurrency ?? defaultPushConcurrency;
    const mapping = mapImages(source.images, target, fallbackRepository(source.path));
    for (const message of mapping.warnings) o.onEvent?.({ type: 'warning', message });
    o.onEvent?.({ type: 'phase', phase: 'plan' });
    // HEADs are small: ask more of them at once than uploads.
    const heads = pLimit(Math.max(16, 4 * concurrency));
    // Tags are asked about while the closures are read from the bundle.
    const tags = readTags(client, mapping.images, heads);
    tags.catch(() => undefined);
    const planned = await readClosures(source, mapping.images);
    const work = pushWork(planned);
    const probe = probeTarget(client, planned, work, await tags, heads);
    const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
    const inBundle = (d: string): boolean => source.blobSize(d) !== undefined;
    // A bundle holding every blob its images use cannot fail the closure
    // check: blobs move as soon as the target has answered for them.
    // Otherwise (a delta bundle) nothing moves before every answer is in.
    let plan: Promise<PushPlan> = probe.state.then((state) => planPush(planned, state, inBundle));
    if (o.dryRun === true || !work.digests.every((d) => inBundle(d.blob.digest))) {
      const whole = await plan;
      if (whole.missing.length > 0) throw missingError(whole, source);
      if (o.dryRun === true)
        return dryRunResult(planned.length, whole, seconds(), mapping.warnings);
      plan = Promise.resolve(whole);
    }
    o.onEvent?.({ type: 'images-total', total: planned.length });
    reportUploadTotal(plan, o.onEvent);
    const ctx = {
      client,
      source,
      registry: target.registry,
      concurrency,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    };
    const outcome = await executePush(ctx, work, probe, planned.map(goalOf));
    // A failed HEAD fails the push as itself (an authorization problem, say).
    await probe.state;
    if (outcome.failed.length > 0) throw incompleteError(outcome.failed, planned.length);
    return {
      images: planned.length,
      ...outcome.counts,
      seconds: seconds(),
      warnings: mapping.warnings,
    };
  } finally {
    await client.close();
    await source.close();
  }
}

/** The bytes to upload, once the target has answered everything (uploads may have begun). */
function reportUploadTotal(plan: Promise<PushPlan>, onEvent: ProgressListener | undefined): void {
  plan.then(
    (p) => {
      const total = p.blobs.reduce((n, a) => n + (a.kind === 'upload' ? a.blob.size : 0), 0);
      onEvent?.({ type: 'bytes-total', phase: 'upload', total });
    },
    () => undefined,
  );
}

function readClosures(
  source: BundleSource,
  images: readonly MappedImage[],
): Promise<PlannedImage[]> {
  return Promise.all(
    images.map(async (image) => ({
      image,
      closure: await readClosure(
        source,
        image.descriptor,
        `image ${image.source} in ${source.path}`,
      ),
    })),
  );
}

function dryRunResult(
  images: number,
  plan: PushPlan,
  seconds: number,
  warnings: readonly string[],
): PushImagesResult {
  return {
    images,
    manifestsPushed: 0,
    blobsUploaded: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    bytesUploaded: 0,
    seconds,
    warnings,
    plan: summarizePlan(plan),
  };
}

function goalOf(p: PlannedImage): ImageGoal {
  const { target, descriptor } = p.image;
  return {
    image: formatReference(target),
    repo: target.repository,
    top: descriptor.digest,
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
  };
}

function missingError(plan: PushPlan, source: BundleSource): BmpackError {
  const base = source.metadata?.base;
  const list = plan.missing.slice(0, 5).map((m) => `${m.digest} (used by ${m.images.join(', ')})`);
  const more = plan.missing.length > 5 ? ` and ${plan.missing.length - 5} more` : '';
  const needs =
    base !== undefined
      ? `push the base bundle ${base.name} ${base.version} (sha256 ${base.sha256}) first`
      : 'push a bundle that contains them first';
  const delta = base !== undefined ? ` (it is a delta of ${base.name} ${base.version})` : '';
  return new BmpackError(
    'E_CLOSURE_MISSING',
    `${source.path}${delta} lacks ${plan.missing.length} blobs that the target does not have either: ${list.join('; ')}${more}. Nothing was pushed.`,
    {
      hint: `${base !== undefined ? 'This is' : 'This looks like'} a delta bundle: ${needs}.`,
      details: { missing: plan.missing.length },
    },
  );
}

function incompleteError(
  failed: ReadonlyArray<{ image: string; error: unknown }>,
  total: number,
): BmpackError {
  const first = failed[0]?.error;
  const reason = first instanceof Error ? first.message : String(first);
  return new BmpackError(
    'E_PUSH_INCOMPLETE',
    `${failed.length} of ${total} images were not pushed (nothing tagged for them): ${failed.map((f) => f.image).join(', ')}. First error: ${reason}`,
    {
      hint:
        first instanceof BmpackError && first.hint !== undefined
          ? first.hint
          : 'Fix the cause and run the same command again: what was pushed is kept and skipped.',
      cause: first,
      categoryFromCause: true,
    },
  );
}
