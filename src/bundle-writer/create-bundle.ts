/**
 * `bmpack bundle create`: read the image lists, resolve every image,
 * fetch each missing blob once into the cache, and write one reproducible
 * bundle — or, with `since`, a delta holding only the configs and layers
 * the previous bundle lacks.
 */
import { resolve as resolvePath } from 'node:path';
import pLimit from 'p-limit';
import { BlobCache, defaultCacheDir } from '../cache/blob-cache.js';
import type { ProgressListener } from '../events.js';
import { loadImageSets } from '../image-set/index.js';
import type { PlatformSpec } from '../oci/platform.js';
import { dockerConfigCredentials } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { secondsSince } from '../seconds-since.js';
import { toolVersion } from '../version.js';
import { BmpackError } from '../errors.js';
import { assertWritableFolder } from '../fs/atomic-file.js';
import { BlobFetcher } from './blob-fetcher.js';
import { findMissing, startFetches } from './fetch-queue.js';
import { planBundle } from './bundle-plan.js';
import { readDeltaBase, type BaseRecord, type DeltaBase } from './delta-base.js';
import { CachedConfigSource } from './cached-config-source.js';
import { resolveImage } from './resolve-image.js';
import { writeBundle } from './write-bundle.js';

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
  readonly dockerConfig?: string;
  readonly cacheDir?: string;
  readonly cwd?: string;
  /** Write a delta: leave out the configs and layers this previous bmpack bundle holds. */
  readonly since?: string;
  readonly env?: NodeJS.ProcessEnv;
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
}

export const defaultConcurrency = 8;

export async function createBundle(o: CreateBundleOptions): Promise<CreateBundleResult> {
  const started = performance.now();
  const env = o.env ?? process.env;
  const set = await loadImageSets(o.manifests);
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
    credentials: dockerConfigCredentials(
      o.dockerConfig !== undefined ? { path: o.dockerConfig } : { env },
    ),
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: (e) => o.onEvent?.({ type: 'retry', ...e }),
  });
  try {
    const fetcher = new BlobFetcher(
      client,
      new BlobCache(o.cacheDir ?? defaultCacheDir(env)),
      o.onEvent,
    );
    await fetcher.cache.sweep();
    const limit = pLimit(o.concurrency ?? defaultConcurrency);
    const source = new CachedConfigSource(client, fetcher);
    o.onEvent?.({ type: 'phase', phase: 'resolve' });
    o.onEvent?.({ type: 'images-total', total: set.images.length });
    const images = await Promise.all(
      set.images.map((entry) =>
        limit(async () => {
          const image = await resolveImage(
            source,
            entry.ref,
            entry.platforms ?? o.platforms ?? set.platforms,
          );
          o.onEvent?.({ type: 'image-done', ref: image.reference });
          return image;
        }),
      ),
    );
    const missing = await findMissing(images, fetcher.cache, base?.blobs ?? new Set());
    const epoch = sourceDateEpoch(env);
    const plan = planBundle(
      images,
      {
        name: set.name,
        version: set.version,
        toolVersion,
        mtime: epoch ?? 0,
        ...(epoch !== undefined ? { created: new Date(epoch * 1000).toISOString() } : {}),
        ...(base !== undefined ? { base: base.record } : {}),
      },
      new Set([...fetcher.fetched, ...missing.keys()]),
      base?.blobs,
    );
    const order = plan.metadata.blobs.map((b) => b.digest);
    const pending = startFetches(missing, order, fetcher, limit, o.onEvent);
    o.onEvent?.({ type: 'phase', phase: 'write', detail: output });
    o.onEvent?.({ type: 'bytes-total', phase: 'write', total: plan.tarSize });
    const written = await writeBundle(plan, fetcher.cache, {
      output,
      plainTar: output.endsWith('.tar'),
      ready: (digest) => pending.get(digest),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    }).finally(() => Promise.allSettled(pending.values()));
    const t = plan.metadata.totals;
    return {
      output: written.output,
      sha256: written.sha256,
      images: t.images,
      blobs: t.blobs,
      bytes: t.bytes,
      dedupedBytes: t.dedupedBytes,
      fetchedBlobs: fetcher.fetched.size,
      seconds: secondsSince(started),
      ...(base !== undefined
        ? {
            base: base.record,
            omittedBlobs: plan.omitted.length,
            omittedBytes: plan.omitted.reduce((s, b) => s + b.size, 0),
          }
        : {}),
    };
  } finally {
    await client.close();
  }
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
