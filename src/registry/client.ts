/**
 * RegistryClient: the OCI distribution client bmpack uses for every
 * registry, built on undici. One instance serves many registries; each has
 * its own TLS settings, credentials and cached tokens.
 */
import { listReferrers } from './referrers-api.js';
import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { ImageReference } from '../reference/index.js';
import { Authorizer } from './auth/authorizer.js';
import type { CredentialStore } from './auth/credentials/index.js';
import { type BlobReadOptions, blobChunks, openBlob } from './blob-download.js';
import {
  headBlob,
  mountBlob,
  type BlobBody,
  type UploadOptions,
  type UploadResult,
  uploadBlob,
} from './blob-upload.js';
import type { RepositoryRef } from './endpoint.js';
import type { HostOptionsMap } from './http/host-options.js';
import type { RetryEvent } from './http/retrying.js';
import type { RetryPolicy } from './http/retry-policy.js';
import { Transport, type ProxySettings } from './http/transport.js';
import { type FetchedManifest, getManifest, headManifest, putManifest } from './manifests.js';
import { Requester } from './requester.js';
import { listTags } from './tag-list.js';
import { probeRepositoryName, type NameVerdict } from './repository-probe.js';
import { UploadFallbacks, type FallbackListener } from './upload-fallbacks.js';

export interface RegistryClientOptions {
  /** Per-registry TLS and plain-HTTP settings, keyed by registry host. */
  readonly hosts?: HostOptionsMap;
  readonly credentials?: CredentialStore;
  readonly retry?: RetryPolicy;
  /** Fail a request whose connection sends nothing for this long (ms). Default 60 s. */
  readonly stallTimeoutMs?: number;
  readonly userAgent?: string;
  /** Overrides HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: ProxySettings;
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
  /** Told when a registry first refuses mounts or chunked uploads (bmpack falls back). */
  readonly onFallback?: FallbackListener;
}

export class RegistryClient {
  private readonly transport: Transport;
  private readonly rq: Requester;
  private readonly authorizer: Authorizer;
  /** What this client learnt of each registry's uploads: no mounts, no chunks. */
  private readonly uploads: UploadFallbacks;
  private isClosing = false;

  constructor(options: RegistryClientOptions = {}) {
    this.uploads = new UploadFallbacks(options.onFallback);
    this.transport = new Transport({
      ...(options.hosts ? { hosts: options.hosts } : {}),
      ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    });
    const retry = {
      ...(options.retry ? { policy: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    };
    const baseUrl = (registry: string): URL => this.rq.baseUrl(registry);
    this.authorizer = new Authorizer({
      transport: this.transport,
      credentials: options.credentials,
      retry,
      baseUrl,
    });
    this.rq = new Requester(this.transport, this.authorizer, retry);
  }

  /**
   * Contact `registry` now (its /v2/ ping and challenge), so that the first
   * real request need not wait for it. A failure is not reported here: the
   * first request meets the same outcome and reports it.
   */
  warmUp(registry: string): void {
    this.authorizer.prepare(registry).catch(() => undefined);
  }

  /** GET a manifest by tag or digest; verified against the digest asked for and the one served. */
  getManifest(ref: ImageReference): Promise<FetchedManifest> {
    return getManifest(this.rq, ref);
  }

  /** HEAD a manifest; undefined when absent. */
  headManifest(ref: ImageReference): Promise<Descriptor | undefined> {
    return headManifest(this.rq, ref);
  }

  /** PUT a manifest under `reference` (a tag or its digest). Returns its digest. */
  putManifest(
    repo: RepositoryRef,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string> {
    return putManifest(this.rq, repo, reference, bytes, mediaType, () =>
      this.subjectAware.add(repo.registry),
    );
  }

  /**
   * Registries that answered a manifest PUT with `OCI-Subject`: they keep
   * referrers themselves (distribution-spec "Pushing Manifests with Subject").
   */
  readonly subjectAware = new Set<string>();

  /** The OCI 1.1 referrers of `digest`, every page; undefined when the registry has no referrers API. */
  listReferrers(
    repo: RepositoryRef,
    digest: string,
    artifactType?: string,
  ): Promise<Descriptor[] | undefined> {
    return listReferrers(this.rq, repo, digest, artifactType);
  }

  /** Stream a blob, verified against `desc` as it passes; resumes broken connections. */
  openBlob(repo: RepositoryRef, desc: Descriptor, opts?: BlobReadOptions): Readable {
    return openBlob(this.rq, repo, desc, opts);
  }

  /** The same as {@link openBlob}, as pieces rather than a stream (an upload body as it is). */
  blobChunks(
    repo: RepositoryRef,
    desc: Descriptor,
    opts?: BlobReadOptions,
  ): AsyncGenerator<Buffer, void, undefined> {
    return blobChunks(this.rq, repo, desc, opts ?? {});
  }

  /** The blob's size at the registry, or undefined when absent. */
  headBlob(repo: RepositoryRef, digest: string): Promise<number | undefined> {
    return headBlob(this.rq, repo, digest);
  }

  /** Cross-repository mount; true when the registry mounted it. */
  mountBlob(repo: RepositoryRef, digest: string, from: string): Promise<boolean> {
    return mountBlob(this.rq, repo, digest, from, this.uploads);
  }

  /** Every tag of `repo`, page by page (the registry's `Link` pagination). */
  listTags(repo: RepositoryRef, pageSize?: number): AsyncGenerator<string[], void, undefined> {
    return listTags(this.rq, repo, pageSize);
  }

  /** Whether the registry takes `repo` as a name (an upload session opened and cancelled). */
  probeRepositoryName(repo: RepositoryRef): Promise<NameVerdict> {
    return probeRepositoryName(this.rq, repo);
  }

  /**
   * Upload a blob from a source that `open` creates afresh for each attempt.
   * A registry that refuses a mount or a PATCH is not asked again for either
   * by this client (a plain upload, a single PUT instead).
   */
  uploadBlob(
    repo: RepositoryRef,
    desc: Descriptor,
    open: () => BlobBody,
    opts?: UploadOptions,
  ): Promise<UploadResult> {
    return uploadBlob(this.rq, repo, desc, open, opts, this.uploads);
  }

  /** True once close() was called: work not yet started (tag lists asked ahead) need not start. */
  get closing(): boolean {
    return this.isClosing;
  }

  async close(): Promise<void> {
    this.isClosing = true;
    await this.rq.settled();
    await this.transport.close();
  }
}
