/**
 * Registries as an {@link ImageSource}: any registry the client can reach,
 * each repository as the reference names it. Resolving a tag GETs the
 * manifest (one request, not a HEAD and a GET), and the walker's read of
 * that manifest is then served from memory.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { isManifestMediaType } from '../oci/media-types.js';
import type { ImageReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import { repoName } from '../registry/endpoint.js';
import type { ByteRange, ImageSource, OpenBlobOptions, StoreRepository } from './image-source.js';
import { sliceChunks } from './slice-chunks.js';

/** Documents (configs) read whole are capped: the spec's manifest limit is 4 MB, configs are as small. */
const maxDocumentBytes = 8 * 1024 * 1024;

export class RegistrySource implements ImageSource {
  readonly description = 'registry';
  readonly randomAccess = true;
  readonly verifiesBlobs = true;
  readonly blobOrder: readonly string[] = [];
  readonly images = [];
  /** Manifests fetched by resolve, until the walker reads them. */
  private readonly resolved = new Map<string, Buffer>();

  constructor(
    private readonly client: RegistryClient,
    private readonly onBytes?: (n: number) => void,
  ) {}

  async resolve(ref: ImageReference): Promise<Descriptor> {
    const m = await this.client.getManifest(ref);
    this.resolved.set(m.digest, m.bytes);
    return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }

  async readDocument(at: StoreRepository, desc: Descriptor): Promise<Buffer> {
    const kept = this.resolved.get(desc.digest);
    if (kept !== undefined) {
      this.resolved.delete(desc.digest);
      return kept;
    }
    if (isManifestMediaType(desc.mediaType))
      return (await this.client.getManifest({ ...at, digest: desc.digest })).bytes;
    if (desc.size > maxDocumentBytes) throw tooLarge(at, desc);
    const chunks: Buffer[] = [];
    for await (const c of this.client.blobChunks(at, desc)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  /** A registry holds every blob its manifests name (it takes no manifest without them). */
  holds(): boolean {
    return true;
  }

  openBlob(
    at: StoreRepository,
    desc: Descriptor,
    range?: ByteRange,
    opts: OpenBlobOptions = {},
  ): BlobChunks {
    const chunks = this.client.blobChunks(at, desc, {
      ...(this.onBytes ? { onBytes: this.onBytes } : {}),
      ...(opts.verify === false ? { verify: false } : {}),
    });
    return range === undefined ? chunks : sliceChunks(chunks, range);
  }

  /** The client belongs to the caller, who closes it. */
  async close(): Promise<void> {}
}

function tooLarge(at: StoreRepository, desc: Descriptor): BmpackError {
  return new BmpackError(
    'E_MANIFEST_TOO_LARGE',
    `blob ${desc.digest} of ${repoName(at)} is ${desc.size} bytes, more than a config may be (${maxDocumentBytes})`,
    { hint: 'Configs are small JSON documents; this image names something else as its config.' },
  );
}
