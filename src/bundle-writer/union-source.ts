/**
 * Several bundles as one image store, for a merge: each document and blob
 * is read from the first bundle that holds it, so a base and its deltas
 * together hold every blob of the release.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { ImageReference } from '../reference/index.js';
import {
  anyRepository,
  type ByteRange,
  type ImageSource,
  type ListedImage,
  type StoreRepository,
} from '../store/index.js';
import type { WriterBlobs } from './tar-stream.js';

export class UnionSource implements ImageSource {
  readonly description: string;
  readonly randomAccess: boolean;
  readonly blobOrder: readonly string[];
  readonly images: readonly ListedImage[];

  constructor(private readonly sources: readonly ImageSource[]) {
    this.description = sources.map((s) => s.description).join(' + ');
    this.randomAccess = sources.every((s) => s.randomAccess);
    this.blobOrder = [...new Set(sources.flatMap((s) => s.blobOrder))];
    this.images = sources.flatMap((s) => s.images);
  }

  /** The first source that lists the reference names it. */
  async resolve(ref: ImageReference): Promise<Descriptor> {
    let last: unknown;
    for (const s of this.sources) {
      try {
        return await s.resolve(ref);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  readDocument(at: StoreRepository, desc: Descriptor): Promise<Buffer> {
    return this.holder(desc.digest).readDocument(at, desc);
  }

  holds(digest: string): boolean {
    return this.sources.some((s) => s.holds(digest));
  }

  openBlob(at: StoreRepository, desc: Descriptor, range?: ByteRange): BlobChunks {
    return this.holder(desc.digest).openBlob(at, desc, range);
  }

  /** The union as the bundle writer's blob store; a corrupt blob names the bundle it came from. */
  writerBlobs(): WriterBlobs {
    return {
      open: (digest, size) =>
        this.openBlob(anyRepository, { mediaType: 'application/octet-stream', digest, size }),
      corrupt: (digest, _size, err) =>
        Promise.resolve(
          new BmpackError(
            err.code,
            `blob ${digest} of ${this.holder(digest).description} is corrupt: ${err.message}`,
            {
              hint: 'Check that input with bundle verify; repair it from its parity part or copy it again.',
              cause: err,
              details: { blob: digest },
            },
          ),
        ),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }

  private holder(digest: string): ImageSource {
    const found = this.sources.find((s) => s.holds(digest));
    if (found === undefined)
      throw new BmpackError('E_BUNDLE_INVALID', `no input holds ${digest}`, {
        hint: 'A delta leaves layers to its base: give the base bundle too.',
        details: { blob: digest },
      });
    return found;
  }
}
