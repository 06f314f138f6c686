/**
 * `bmpack bundle create`: read the image lists and copy every image from
 * its registry into the bundle being written, through the one copy engine
 * (registries → {@link BundleSink}): each missing blob is fetched once,
 * through memory into the bundle (into the cache first with `cacheBlobs`),
 * and the bundle is written, reproducibly, as the blobs arrive —
 * or, with `since`, a delta holding only the configs and layers the
 * previous bundle lacks.
 */
import { registryReferrers, type ReferrerKind } from '../referrers/index.js';
import { checkPartSize, splitBundle, type SplitPart } from './split-bundle.js';
import { resolve as resolvePath } from 'node:path';
import { BlobCache, defaultCacheDir } from '../cache/blob-cache.js';
import { copyImages, type CopyOptions, type PlannedImage } from '../copy/index.js';
import type { ProgressEvent, ProgressListener } from '../events.js';
import { loadImageSets, type ImageSet } from '../image-set/index.js';
import type { PlatformSpec } from '../oci/platform.js';
import { storedCredentials, type CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { secondsSince } from '../seconds-since.js';
import { toolVersion } from '../version.js';
import { BmpackError } from '../errors.js';
import { assertWritableFolder } from '../fs/atomic-file.js';
import { BlobFetcher } from './blob-fetcher.js';
import type { BundleInfo } from './bundle-plan.js';
import { BundleSink } from './bundle-sink.js';
import { readDeltaBase, type BaseRecord, type DeltaBase } from './delta-base.js';
import { CachedConfigSource } from './cached-config-source.js';
import { createRequest, pinnedWarnings } from './create-requests.js';

export interface CreateBundleOptions {
  readonly manifests: readonly string[];
  /** Default: bmpackages_<version>.tar.xz in `cwd`. A name ending in .tar writes a plain tar. */
  readonly output?: string;
  /** Replaces the manifests' default platforms (entry-level platforms still win). */
  readonly platforms?: readonly PlatformSpec[];
  readonly concurrency?: number;
  /** Registries reached over HTTPS without verification, or plain HTTP. */
  readonly insecureRegistries?: readonly string[];
  /** Per-registry TLS settings (tests, private CAs). */
  readonly hosts?: Readonly<Record<string, HostOptions>>;
  /** Registry logins. Default: the stored ones (auth.json, Docker config; stored-credentials.ts). */
  readonly credentials?: CredentialStore;
  readonly cacheDir?: string;
  /**
   * Also keep every fetched blob in the cache, so that a re-run (after an
   * interruption, or of the next release) fetches only what is new. Each
   * blob is then written twice: into the cache, and from there into the
   * bundle. Default: each blob goes through memory straight into the
   * bundle (blob-relay.ts); blobs already in the cache are read from it.
   */
  readonly cacheBlobs?: boolean;
  readonly cwd?: string;
  /**
   * Which referrers of the images come along, by kind: cosign's signature,
   * attestation and SBOM tags, and OCI 1.1 artifacts with a subject (from
   * the referrers API or its fallback tag), sorted by artifact type. Default:
   * the image set's `spec.referrers`, else all.
   */
  readonly referrers?: 'none' | readonly ReferrerKind[];
  /** Cut the written bundle into parts of this many bytes (split-bundle.ts); the whole is removed. */
  readonly splitSize?: number;
  /** With a split size: also a parity part (split-bundle.ts). */
  readonly parity?: boolean;
  /** Write a delta: leave out the configs and layers this previous bmpack bundle holds. */
  readonly since?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where a manifest named `-` is read from (default: process.stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

export interface CreateBundleResult {
  readonly output: string;
  readonly sha256: string;
  readonly images: number;
  readonly blobs: number;
  readonly bytes: number;
  readonly dedupedBytes: number;
  /** Blobs fetched from registries in this run (the rest came from the cache). */
  readonly fetchedBlobs: number;
  readonly seconds: number;
  /** A delta: its base, and the configs and layers left to it. */
  readonly base?: BaseRecord;
  readonly omittedBlobs?: number;
  readonly omittedBytes?: number;
  /** With a split size: the parts, in order (their concatenation is `output`'s bytes). */
  readonly parts?: readonly SplitPart[];
}

export const defaultConcurrency = 8;

export async function createBundle(o: CreateBundleOptions): Promise<CreateBundleResult> {
  const started = performance.now();
  if (o.splitSize !== undefined) checkPartSize(o.splitSize);
  const env = o.env ?? process.env;
  const set = await loadImageSets(o.manifests, o.stdin);
  for (const message of set.warnings) o.onEvent?.({ type: 'warning', message });
  const cwd = o.cwd ?? process.cwd();
  const output = resolvePath(cwd, o.output ?? `bmpackages_${set.version}.tar.xz`);
  await assertWritableFolder(output);
  const base =
    o.since !== undefined ? await deltaBase(resolvePath(cwd, o.since), output, o) : undefined;
  const client = new RegistryClient({
    hosts: {
      ...Object.fromEntries((o.insecureRegistries ?? []).map((h) => [h, { insecure: true }])),
      ...o.hosts,
    },
    credentials: o.credentials ?? storedCredentials({ env }),
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: (e) => o.onEvent?.({ type: 'retry', ...e }),
  });
  try {
    const cache = new BlobCache(o.cacheDir ?? defaultCacheDir(env));
    const fetcher = new BlobFetcher(client, cache, o.onEvent);
    await cache.sweep();
    const sink = new BundleSink({
      cache,
      output,
      plainTar: output.endsWith('.tar'),
      info: bundleInfo(set, env, base),
      ...(base !== undefined ? { omit: base.blobs } : {}),
      fetched: fetcher.fetched,
      ...(o.cacheBlobs === true ? { cacheBlobs: true } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    o.onEvent?.({ type: 'phase', phase: 'resolve' });
    o.onEvent?.({ type: 'images-total', total: set.images.length });
    await copyInto(
      sink,
      set,
      new CachedConfigSource(client, fetcher),
      o,
      referrersOf(client, o, set),
    );
    const written = await sink.finish();
    const parts =
      o.splitSize !== undefined
        ? (
            await splitBundle({
              path: written.output,
              partSize: o.splitSize,
              removeWhole: true,
              ...(o.parity === true ? { parity: true } : {}),
            })
          ).parts
        : undefined;
    const plan = sink.planned;
    const t = plan.metadata.totals;
    return {
      output: written.output,
      sha256: written.sha256,
      images: t.images,
      blobs: t.blobs,
      bytes: t.bytes,
      dedupedBytes: t.dedupedBytes,
      fetchedBlobs: fetcher.fetched.size + sink.fetched.size,
      seconds: secondsSince(started),
      ...(base !== undefined
        ? {
            base: base.record,
            omittedBlobs: plan.omitted.length,
            omittedBytes: plan.omitted.reduce((sum, b) => sum + b.size, 0),
          }
        : {}),
      ...(parts !== undefined ? { parts } : {}),
    };
  } finally {
    await client.close();
  }
}

/**
 * Every listed image, from its registry into the bundle: walked with its
 * platforms, blobs fetched in the order the bundle writes them. Any image
 * that fails fails the bundle, which then leaves nothing behind.
 */
async function copyInto(
  sink: BundleSink,
  set: ImageSet,
  source: CachedConfigSource,
  o: CreateBundleOptions,
  expand: CopyOptions['expand'],
): Promise<void> {
  const requests = set.images.map((entry) =>
    createRequest(entry, entry.platforms ?? o.platforms ?? set.platforms),
  );
  const onPlanned = (planned: readonly PlannedImage[]): Promise<void> => {
    for (const message of pinnedWarnings(planned)) o.onEvent?.({ type: 'warning', message });
    return sink.prepare(planned);
  };
  try {
    const outcome = await copyImages(requests, source, sink, {
      concurrency: o.concurrency ?? defaultConcurrency,
      findPlatforms: true,
      onPlanned,
      rank: (digest) => sink.rank(digest),
      ...(expand !== undefined ? { expand } : {}),
      ...(o.onEvent ? { onEvent: createEvents(o.onEvent) } : {}),
    });
    const [first] = outcome.failed;
    if (first !== undefined) throw first.error;
  } catch (err) {
    await sink.abandon(err);
    throw err;
  }
}

/** The engine's hook that brings each image's referrers along, unless none are wanted. */
function referrersOf(
  client: RegistryClient,
  o: CreateBundleOptions,
  set: ImageSet,
): CopyOptions['expand'] {
  const choice = o.referrers ?? set.referrers;
  if (choice === 'none') return undefined;
  return registryReferrers(client, {
    ...(choice !== undefined ? { kinds: new Set(choice) } : {}),
    onWarning: (message) => o.onEvent?.({ type: 'warning', message }),
    listAhead: set.images.map((entry) => entry.ref),
  });
}

/**
 * The engine's events in create's words: blobs moving are fetched. Create
 * tells the rest itself, in the order its progress has always had: images
 * to resolve at the start, then the bytes to fetch and to write once the
 * bundle is planned (BundleSink.prepare).
 */
function createEvents(onEvent: ProgressListener): ProgressListener {
  return (e: ProgressEvent) => {
    if (e.type === 'bytes') onEvent({ ...e, phase: e.phase === 'upload' ? 'fetch' : e.phase });
    else if (e.type !== 'images-total' && e.type !== 'bytes-total' && e.type !== 'phase')
      onEvent(e);
  };
}

function bundleInfo(
  set: ImageSet,
  env: NodeJS.ProcessEnv,
  base: DeltaBase | undefined,
): BundleInfo {
  const epoch = sourceDateEpoch(env);
  return {
    name: set.name,
    version: set.version,
    toolVersion,
    mtime: epoch ?? 0,
    ...(epoch !== undefined ? { created: new Date(epoch * 1000).toISOString() } : {}),
    ...(base !== undefined ? { base: base.record } : {}),
  };
}

/** The delta's base bundle, which must not be the one being written. */
async function deltaBase(
  since: string,
  output: string,
  o: CreateBundleOptions,
): Promise<DeltaBase> {
  if (since === output) {
    throw new BmpackError('E_USAGE', `the delta base ${since} is also the output file`, {
      hint: 'Write the delta under another name, next to the previous bundle.',
      reason: 'delta-base-is-output',
    });
  }
  return readDeltaBase(since, (message) => o.onEvent?.({ type: 'warning', message }));
}

/** SOURCE_DATE_EPOCH (reproducible-builds.org): whole seconds, or undefined. */
function sourceDateEpoch(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
