/**
 * The registries `bundle create` walks images in. Configs are read through
 * the blob cache, where the bundle needs them anyway: each is fetched once,
 * whether the walker reads it for its platform or the writer for the bundle.
 */
import { isManifestMediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { RegistryClient } from '../registry/client.js';
import { RegistrySource, type StoreRepository } from '../store/index.js';
import type { BlobFetcher } from './blob-fetcher.js';

export class CachedConfigSource extends RegistrySource {
  constructor(
    client: RegistryClient,
    private readonly fetcher: BlobFetcher,
  ) {
    super(client);
  }

  override async readDocument(at: StoreRepository, desc: Descriptor): Promise<Buffer> {
    if (isManifestMediaType(desc.mediaType)) return super.readDocument(at, desc);
    await this.fetcher.ensure(at, desc);
    const chunks: Buffer[] = [];
    for await (const c of this.fetcher.cache.open(desc.digest)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
}
