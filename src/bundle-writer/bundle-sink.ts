/**
 * A bundle being written, as an {@link ImageSink}: what `bundle create`
 * copies into. Once every image is walked (prepare), the whole bundle is
 * planned and the writer starts; the writer writes blobs in the plan's
 * order and the engine is asked to fetch in that order (rank), so fetching
 * overlaps writing. Each fetched blob goes through memory straight into the
 * bundle (blob-relay.ts); with `cacheBlobs`, into the content-addressed
 * cache first (kept for a re-run), and the writer reads it from there.
 *
 * The sink already "holds" what the cache holds (re-hashed as it is
 * written) and what a delta's base holds (left out of the bundle).
 * Manifests and tags need no writes: the plan has every document's bytes.
 */
import type { BlobCache } from '../cache/blob-cache.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import { countedChunks } from '../content/counted-chunks.js';
import type { PlannedImage } from '../copy/index.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  putIntoStore,
  type ImageSink,
  type PutBlobOptions,
  type PutBlobResult,
} from '../store/index.js';
import { BlobRelay } from './blob-relay.js';
import { planBundle, type BundleInfo, type BundlePlan } from './bundle-plan.js';
import { cachedBlobs, type WriterBlobs } from './tar-stream.js';
import { resolvedImage } from './image-closure.js';
import { writeBundle, type WrittenBundle } from './write-bundle.js';

export interface BundleSinkOptions {
  readonly cache: BlobCache;
  readonly output: string;
  /** A plain tar instead of .tar.xz. */
  readonly plainTar: boolean;
  readonly info: BundleInfo;
  /** A delta's base: the blobs it holds, which this bundle leaves out. */
  readonly omit?: ReadonlySet<string>;
  /** Blobs fetched (and verified) in this build before the copy: configs read by the walk. */
  readonly fetched: ReadonlySet<string>;
  /** Keep every fetched blob in the cache (a second write of each) rather than relay it into the bundle. */
  readonly cacheBlobs?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

interface Arrival {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class BundleSink implements ImageSink {
  readonly description: string;
  /** Blobs this sink fetched into the cache. */
  readonly fetched = new Set<string>();
  private readonly arrivals = new Map<string, Arrival>();
  private readonly sizes = new Map<string, number>();
  private readonly order = new Map<string, number>();
  private plan: BundlePlan | undefined;
  /** What a delta leaves to its base: set at prepare, once the referrers are known. */
  private omit: ReadonlySet<string> = new Set();
  private writing: Promise<WrittenBundle> | undefined;
  private failure: Error | undefined;
  private readonly relay: BlobRelay | undefined;
  /** Relayed blobs are hashed on another thread as they pass (blob-relay.ts); cached ones as they are written. */
  readonly verifiesBlobs: boolean;

  constructor(private readonly o: BundleSinkOptions) {
    this.description = `bundle ${o.output}`;
    if (o.cacheBlobs !== true) this.relay = new BlobRelay(o.cache, (d) => this.rank(d));
    this.verifiesBlobs = this.relay !== undefined;
  }

  /** Plans the bundle from every walked image and starts writing it. */
  async prepare(planned: readonly PlannedImage[]): Promise<void> {
    const images = planned.map(resolvedImage);
    this.omit = deltaOmits(this.o.omit, planned);
    const verified = new Set(this.o.fetched);
    for (const image of images)
      for (const b of image.blobs) {
        this.sizes.set(b.digest, b.size);
        if (this.omit.has(b.digest) || this.arrivals.has(b.digest)) continue;
        if (await this.o.cache.has(b)) continue;
        this.arrivals.set(b.digest, arrival());
        this.relay?.expect(b.digest);
        verified.add(b.digest);
      }
    const plan = planBundle(images, this.o.info, verified, this.omit);
    plan.metadata.blobs.forEach((b, i) => this.order.set(b.digest, i));
    this.plan = plan;
    const toFetch = plan.metadata.blobs.filter((b) => this.arrivals.has(b.digest));
    this.o.onEvent?.({ type: 'phase', phase: 'fetch' });
    this.o.onEvent?.({
      type: 'bytes-total',
      phase: 'fetch',
      total: toFetch.reduce((sum, b) => sum + b.size, 0),
    });
    this.startWriting(plan);
  }

  /** What the bundle planned (after prepare). */
  get planned(): BundlePlan {
    if (this.plan === undefined) throw notPrepared();
    return this.plan;
  }

  /** The bundle's blob order: fetch in it, so that the writer rarely waits. */
  rank(digest: string): number {
    return this.order.get(digest) ?? Number.MAX_SAFE_INTEGER;
  }

  async blobSize(_repository: string, digest: string): Promise<number | undefined> {
    if (this.omit.has(digest)) return this.sizes.get(digest);
    if (this.arrivals.has(digest)) return undefined;
    return this.o.cache.size(digest);
  }

  async putBlob(
    _repository: string,
    desc: Descriptor,
    open: () => BlobChunks,
    opts: PutBlobOptions = {},
  ): Promise<PutBlobResult> {
    if (this.failure !== undefined) throw this.failure;
    const arrived = this.arrivals.get(desc.digest);
    let result: PutBlobResult;
    try {
      const what = `blob ${desc.digest} for ${this.description}`;
      result =
        this.relay?.expects(desc.digest) === true
          ? await this.relayBlob(this.relay, desc, open, { ...opts, what })
          : await putIntoStore(this.o.cache, desc, open, { ...opts, what });
    } catch (err) {
      arrived?.reject(err);
      throw err;
    }
    if (result === 'uploaded') this.fetched.add(desc.digest);
    arrived?.resolve();
    return result;
  }

  private async relayBlob(
    relay: BlobRelay,
    desc: Descriptor,
    open: () => BlobChunks,
    opts: PutBlobOptions & { readonly what: string },
  ): Promise<PutBlobResult> {
    // Another repository's copy of a blob already on its way: nothing more to move.
    if (opts.mountFrom !== undefined && relay.delivered(desc.digest)) return 'mounted';
    await relay.deliver(
      desc,
      countedChunks(open(), opts.onBytes),
      opts.verified === true,
      opts.what,
    );
    return 'uploaded';
  }

  hasManifest(): Promise<boolean> {
    return Promise.resolve(false);
  }

  tagDigest(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /** The plan holds every document's bytes already: nothing to write here. */
  async putManifest(): Promise<void> {}

  async close(): Promise<void> {}

  /** The written bundle, once the writer has written the last blob. */
  finish(): Promise<WrittenBundle> {
    if (this.writing === undefined) return Promise.reject(notPrepared());
    return this.writing;
  }

  /** The copy failed: stop waiting for blobs that will not come; the writer leaves nothing. */
  async abandon(err: unknown): Promise<void> {
    this.failure ??= asError(err);
    this.relay?.abandon(err);
    for (const a of this.arrivals.values()) a.reject(err);
    await this.writing?.catch(() => undefined);
  }

  private startWriting(plan: BundlePlan): void {
    this.o.onEvent?.({ type: 'phase', phase: 'write', detail: this.o.output });
    this.o.onEvent?.({ type: 'bytes-total', phase: 'write', total: plan.tarSize });
    this.writing = writeBundle(plan, this.writerBlobs(), {
      output: this.o.output,
      plainTar: this.o.plainTar,
      // A relayed blob is read as it arrives; a cached one once it is whole.
      ready: (digest) =>
        this.relay?.expects(digest) === true ? undefined : this.arrivals.get(digest)?.promise,
      ...(this.o.signal ? { signal: this.o.signal } : {}),
      ...(this.o.onEvent ? { onEvent: this.o.onEvent } : {}),
    });
    const relay = this.relay;
    if (relay !== undefined) void this.writing.finally(() => relay.close()).catch(() => undefined);
    // A failed write stops the copy: no more blobs are fetched for it.
    this.writing.catch((err: unknown) => {
      this.failure ??= asError(err);
      this.relay?.abandon(err);
    });
  }

  /** Where the writer reads blobs: relayed ones from the relay, the others from the cache. */
  private writerBlobs(): WriterBlobs {
    const cached = cachedBlobs(this.o.cache);
    const relay = this.relay;
    if (relay === undefined) return cached;
    return {
      open: (digest, size) =>
        relay.expects(digest) ? relay.open(digest) : cached.open(digest, size),
      corrupt: (digest, size, err) => cached.corrupt(digest, size, err),
    };
  }
}

function arrival(): Arrival {
  let resolve: () => void = () => undefined;
  let reject: (err: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The writer reads it when it reaches the blob; until then a failure is held, not unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function notPrepared(): BmpackError {
  return new BmpackError('E_INTERNAL', 'the bundle was not planned before it was written', {
    hint: 'This is a bug in bmpack: please report it.',
  });
}

/**
 * The base's blobs a delta leaves out, except those of signatures and other
 * referrers: they are a few kilobytes each, and with them a delta's
 * signatures can be verified offline from the delta alone.
 */
function deltaOmits(
  base: ReadonlySet<string> | undefined,
  planned: readonly PlannedImage[],
): ReadonlySet<string> {
  if (base === undefined) return new Set();
  const keep = new Set(
    planned.flatMap((p) =>
      p.request.referrer !== undefined ? p.graph.blobs.map((b) => b.digest) : [],
    ),
  );
  return new Set([...base].filter((d) => !keep.has(d)));
}
