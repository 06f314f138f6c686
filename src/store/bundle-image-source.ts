/**
 * A bundle (bmpack's, a tarred OCI layout plain or xz, a docker save
 * archive) as an {@link ImageSource}. The archive reader does the work;
 * this names its images by reference and ignores repositories, since a
 * bundle holds one set of blobs for all of them.
 */
import type { BundleSource } from '../bundle-reader/index.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  fallbackRepository,
  formatReference,
  listedReference,
  type ImageReference,
} from '../reference/index.js';
import type { ByteRange, ImageSource, StoreRepository } from './image-source.js';
import { sliceChunks } from './slice-chunks.js';

export class BundleImageSource implements ImageSource {
  readonly description: string;
  readonly corruptHint =
    'The bundle was damaged in transport. Check it with its .sha256 file and copy it again.';

  constructor(readonly bundle: BundleSource) {
    this.description = `bundle ${bundle.path}`;
  }

  get randomAccess(): boolean {
    return this.bundle.randomAccess;
  }

  get blobOrder(): readonly string[] {
    return this.bundle.blobOrder;
  }

  get images(): BundleSource['images'] {
    return this.bundle.images;
  }

  /** The image whose name, read as a reference, is `ref` (tag and digest as given). */
  resolve(ref: ImageReference): Promise<Descriptor> {
    const wanted = formatReference(ref);
    const fallback = fallbackRepository(this.bundle.path);
    const found = this.bundle.images.find(
      (i) => formatReference(listedReference(i.name, fallback).ref) === wanted,
    );
    if (found !== undefined) return Promise.resolve(found.descriptor);
    return Promise.reject(
      new BmpackError('E_NOT_FOUND', `${this.description} has no image ${wanted}`, {
        hint: 'Name the image as the bundle does: bundle inspect lists them.',
        details: { image: wanted, bundle: this.bundle.path },
      }),
    );
  }

  readDocument(_at: StoreRepository, desc: Descriptor): Promise<Buffer> {
    return this.bundle.readDocument(desc.digest);
  }

  holds(digest: string): boolean {
    return this.bundle.blobSize(digest) !== undefined;
  }

  openBlob(_at: StoreRepository, desc: Descriptor, range?: ByteRange): BlobChunks {
    const chunks = this.bundle.openBlob(desc.digest);
    return range === undefined ? chunks : sliceChunks(chunks, range);
  }

  close(): Promise<void> {
    return this.bundle.close();
  }
}
