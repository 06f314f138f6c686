/**
 * `bundle merge`: bundles — or a base and its deltas — into one full
 * bundle, with no extraction. Every listed image of every input comes
 * along (in the last input's order, then what only earlier ones list), each blob once; the
 * writer reads each blob from its byte range in the first input that holds
 * it and hashes it as it passes. The same inputs give the same bytes: the
 * plan is the writer's, and the name, version and time come from the last
 * input. A name listed with two digests is a conflict, unless the later
 * input is to win.
 */
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import type { BundleImageRecord } from '../bundle-format/index.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { assertWritableFolder } from '../fs/atomic-file.js';
import { walkFrom } from '../graph/index.js';
import { fallbackRepository, formatReference, listedReference } from '../reference/index.js';
import { secondsSince } from '../seconds-since.js';
import { BundleImageSource, anyRepository } from '../store/index.js';
import { toolVersion } from '../version.js';
import { planBundle, type BundleInfo } from './bundle-plan.js';
import { graphImage, type ResolvedImage } from './image-closure.js';
import { UnionSource } from './union-source.js';
import { writeBundle } from './write-bundle.js';

export interface MergeBundlesOptions {
  /** Bundles in order: a base first, then its deltas. */
  readonly inputs: readonly string[];
  readonly output: string;
  /** A name listed with different digests takes the later input's instead of failing. */
  readonly preferLast?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

export interface MergeBundlesResult {
  readonly output: string;
  readonly sha256: string;
  readonly images: number;
  readonly blobs: number;
  readonly bytes: number;
  /** Names whose later listing replaced an earlier one (with preferLast). */
  readonly replaced: readonly string[];
  readonly seconds: number;
}

interface Listed {
  readonly name: string;
  readonly digest: string;
  readonly input: number;
  readonly record: BundleImageRecord | undefined;
  readonly mediaType: string;
  readonly size: number;
}

export async function mergeBundles(o: MergeBundlesOptions): Promise<MergeBundlesResult> {
  const started = performance.now();
  await assertWritableFolder(o.output);
  const opened: BundleSource[] = [];
  try {
    for (const path of o.inputs) {
      if (path === o.output) throw outputIsInput(path);
      opened.push(await openBundleSource(path));
    }
    const { images, replaced } = chooseImages(opened, o.preferLast === true);
    const union = new UnionSource(opened.map((b) => new BundleImageSource(b)));
    const resolved = await Promise.all(images.map((i) => resolve(union, i)));
    checkHeld(union, resolved);
    const plan = planBundle(resolved, mergedInfo(opened));
    o.onEvent?.({ type: 'phase', phase: 'write', detail: o.output });
    o.onEvent?.({ type: 'bytes-total', phase: 'write', total: plan.tarSize });
    const written = await writeBundle(plan, union.writerBlobs(), {
      output: o.output,
      plainTar: o.output.endsWith('.tar'),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    const t = plan.metadata.totals;
    return {
      output: written.output,
      sha256: written.sha256,
      images: t.images,
      blobs: t.blobs,
      bytes: t.bytes,
      replaced,
      seconds: secondsSince(started),
    };
  } finally {
    await Promise.all(opened.map((b) => b.close()));
  }
}

/** Every listed image once by name, in the order first listed; conflicts named. */
function chooseImages(
  bundles: readonly BundleSource[],
  preferLast: boolean,
): { images: Listed[]; replaced: string[] } {
  const byName = new Map<string, Listed>();
  const conflicts: string[] = [];
  const replaced = new Set<string>();
  bundles.forEach((b, input) => {
    for (const listed of listedIn(b, input)) {
      const earlier = byName.get(listed.name);
      if (earlier === undefined) byName.set(listed.name, listed);
      else if (earlier.digest === listed.digest) continue;
      else if (preferLast) {
        byName.set(listed.name, listed);
        replaced.add(listed.name);
      } else {
        const where = bundles[earlier.input]?.path ?? '';
        conflicts.push(
          `${listed.name} (${earlier.digest} in ${where}, ${listed.digest} in ${b.path})`,
        );
      }
    }
  });
  if (conflicts.length > 0) throw conflictError(conflicts);
  // The newest release's order first, then what only older ones list: merging a
  // base and its delta then writes the bundle a create of the new release writes.
  const order = [...bundles]
    .reverse()
    .flatMap((b, i) => listedIn(b, bundles.length - 1 - i).map((l) => l.name));
  const images = [...new Set(order)].flatMap((name) => {
    const chosen = byName.get(name);
    return chosen !== undefined ? [chosen] : [];
  });
  return { images, replaced: [...replaced] };
}

/** A bundle's listed images under their full names, with what bmpack.json records of them. */
function listedIn(b: BundleSource, input: number): Listed[] {
  const fallback = fallbackRepository(b.path);
  const records = new Map((b.metadata?.images ?? []).map((r) => [r.ref, r]));
  return b.images.map((i) => ({
    name: formatReference(listedReference(i.name, fallback).ref),
    digest: i.descriptor.digest,
    input,
    record: records.get(i.name),
    mediaType: i.descriptor.mediaType,
    size: i.descriptor.size,
  }));
}

/** An image walked through the inputs; what bmpack.json recorded of it (platforms, filter, referrer) carried over. */
async function resolve(union: UnionSource, i: Listed): Promise<ResolvedImage> {
  const top = { mediaType: i.mediaType, digest: i.digest, size: i.size };
  const graph = await walkFrom(union, anyRepository, top, { name: i.name });
  const image = graphImage(i.name, listedReference(i.name, 'image').ref, graph);
  const r = i.record;
  return {
    ...image,
    ...(r !== undefined ? { platforms: r.platforms } : {}),
    ...(r?.originalIndexDigest !== undefined ? { originalIndexDigest: r.originalIndexDigest } : {}),
    ...(r?.referrer !== undefined ? { referrer: r.referrer } : {}),
  };
}

/** Every config and layer must be in some input: a delta without its base is not a whole release. */
function checkHeld(union: UnionSource, images: readonly ResolvedImage[]): void {
  for (const image of images)
    for (const blob of image.blobs)
      if (!union.holds(blob.digest))
        throw new BmpackError(
          'E_BUNDLE_INVALID',
          `no input holds blob ${blob.digest} of ${image.reference}`,
          {
            hint: 'A delta leaves layers to its base: merge the base bundle first, then its deltas in order.',
            reason: 'merge-blob-missing',
            details: { blob: blob.digest, image: image.reference },
          },
        );
}

/** The merged bundle is the last input's release, whole: its name, version and time; no base. */
function mergedInfo(bundles: readonly BundleSource[]): BundleInfo {
  const last = bundles.at(-1)?.metadata;
  const created = last?.created;
  const mtime = created !== undefined ? Math.floor(Date.parse(created) / 1000) : 0;
  return {
    name: last?.name ?? 'merged',
    version: last?.version ?? '0',
    toolVersion,
    mtime: Number.isFinite(mtime) ? mtime : 0,
    ...(created !== undefined ? { created } : {}),
  };
}

function conflictError(conflicts: readonly string[]): BmpackError {
  return new BmpackError(
    'E_USAGE',
    `${conflicts.length} images are listed with different digests: ${conflicts.slice(0, 3).join('; ')}${conflicts.length > 3 ? ` and ${conflicts.length - 3} more` : ''}`,
    {
      hint: 'Decide which wins: the later bundle (the newer release) usually.',
      reason: 'merge-tag-conflict',
      details: { images: conflicts.map((c) => c.split(' ')[0] ?? c) },
    },
  );
}

function outputIsInput(path: string): BmpackError {
  return new BmpackError('E_USAGE', `the merged bundle ${path} is also an input`, {
    hint: 'Write the merged bundle under another name.',
  });
}
