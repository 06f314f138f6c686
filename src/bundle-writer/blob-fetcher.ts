/**
 * Fetch blobs into the cache, each digest at most once per build however
 * many images (or concurrent tasks) ask for it: in-flight fetches are
 * shared, and blobs already in the cache are not fetched at all.
 */
import type { BlobCache } from '../cache/blob-cache.js';
import type { ProgressListener } from '../events.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { RepositoryRef } from '../registry/endpoint.js';
import type { RegistryClient } from '../registry/client.js';

export type FetchOutcome = 'cached' | 'fetched';

export class BlobFetcher {
  private readonly inFlight = new Map<string, Promise<FetchOutcome>>();
  /** Digests fetched from a registry during this build. */
  readonly fetched = new Set<string>();

  constructor(
    private readonly client: RegistryClient,
    readonly cache: BlobCache,
    private readonly onEvent?: ProgressListener,
  ) {}

  ensure(
    repo: RepositoryRef,
    desc: Pick<Descriptor, 'digest' | 'size' | 'mediaType'>,
  ): Promise<FetchOutcome> {
    let p = this.inFlight.get(desc.digest);
    if (p === undefined) {
      p = this.fetch(repo, desc);
      this.inFlight.set(desc.digest, p);
      p.catch(() => this.inFlight.delete(desc.digest));
    }
    return p;
  }

  private async fetch(
    repo: RepositoryRef,
    desc: Pick<Descriptor, 'digest' | 'size' | 'mediaType'>,
  ): Promise<FetchOutcome> {
    if (await this.cache.has(desc)) return 'cached';
    const onBytes = (n: number): void => this.onEvent?.({ type: 'bytes', phase: 'fetch', n });
    const stream = this.client.openBlob(repo, desc, { onBytes });
    // The registry stream checks size and digest itself and fails before it
    // ends on a mismatch, so the cache need not hash the bytes a second time.
    const what = `blob ${desc.digest} of ${repo.registry}/${repo.repository}`;
    await this.cache.put(desc, stream, what, true);
    this.fetched.add(desc.digest);
    return 'fetched';
  }
}
