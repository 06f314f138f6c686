/**
 * One registry as an {@link ImageSink}: repositories are paths on it.
 * Uploads verify as they send, mount across repositories when asked, and
 * retry as the client does.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { UploadSettings } from '../registry/blob-upload.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryRef } from '../registry/endpoint.js';
import { checkRepositoryDepths } from '../registry/repository-depths.js';
import type { ImageSink, PutBlobOptions, PutBlobResult } from './image-sink.js';

export class RegistrySink implements ImageSink {
  readonly description: string;

  constructor(
    private readonly client: RegistryClient,
    readonly registry: string,
    /** How blobs go up (chunk size), for every blob this sink writes. */
    private readonly upload: UploadSettings = {},
  ) {
    this.description = `registry ${registry}`;
  }

  /** One upload session opened and cancelled per distinct depth (repository-depths.ts). */
  checkRepositories(repositories: readonly string[]): Promise<void> {
    return checkRepositoryDepths(this.client, this.registry, repositories);
  }

  blobSize(repository: string, digest: string): Promise<number | undefined> {
    return this.client.headBlob(this.at(repository), digest);
  }

  putBlob(
    repository: string,
    desc: Descriptor,
    open: () => BlobChunks,
    opts: PutBlobOptions = {},
  ): Promise<PutBlobResult> {
    return this.client.uploadBlob(this.at(repository), desc, open, { ...this.upload, ...opts });
  }

  async hasManifest(repository: string, digest: string): Promise<boolean> {
    return (await this.client.headManifest({ ...this.at(repository), digest })) !== undefined;
  }

  async tagDigest(repository: string, tag: string): Promise<string | undefined> {
    return (await this.client.headManifest({ ...this.at(repository), tag }))?.digest;
  }

  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<void> {
    await this.client.putManifest(this.at(repository), reference, bytes, mediaType);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}

  private at(repository: string): RepositoryRef {
    return { registry: this.registry, repository };
  }
}
