/**
 * An OCI image layout directory as an {@link ImageSource}: images by the
 * names index.json gives them, blobs read from their files at any offset.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import { ContentVerifier } from '../content/verifier.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  fallbackRepository,
  formatReference,
  listedReference,
  type ImageReference,
} from '../reference/index.js';
import type { ByteRange, ImageSource, ListedImage } from './image-source.js';
import { layoutBlobs, readLayout, type LayoutContents } from './layout-dir.js';

const maxDocumentBytes = 8 * 1024 * 1024;

export class LayoutDirSource implements ImageSource {
  readonly description: string;
  readonly randomAccess = true;
  readonly blobOrder: readonly string[] = [];
  readonly corruptHint = 'A blob file of the layout is damaged: write the layout again.';
  private readonly blobs;

  private constructor(
    readonly dir: string,
    private readonly contents: LayoutContents,
  ) {
    this.description = `OCI layout ${dir}`;
    this.blobs = layoutBlobs(dir);
  }

  static async open(dir: string): Promise<LayoutDirSource> {
    return new LayoutDirSource(dir, await readLayout(dir));
  }

  get images(): readonly ListedImage[] {
    return this.contents.images;
  }

  resolve(ref: ImageReference): Promise<Descriptor> {
    const wanted = formatReference(ref);
    const fallback = fallbackRepository(this.dir);
    const found = this.images.find(
      (i) => i.name !== '' && formatReference(listedReference(i.name, fallback).ref) === wanted,
    );
    if (found !== undefined) return Promise.resolve(found.descriptor);
    return Promise.reject(
      new BmpackError('E_NOT_FOUND', `${this.description} has no image ${wanted}`, {
        hint: 'Name the image as its index.json does (org.opencontainers.image.ref.name).',
        details: { image: wanted, layout: this.dir },
      }),
    );
  }

  async readDocument(_at: unknown, desc: Descriptor): Promise<Buffer> {
    if (desc.size > maxDocumentBytes)
      throw new BmpackError(
        'E_MANIFEST_TOO_LARGE',
        `${this.description}: ${desc.digest} is ${desc.size} bytes, more than a document may be`,
        {
          hint: 'Manifests and configs are small JSON documents; the layout names something else.',
        },
      );
    const verifier = new ContentVerifier(desc, `blob ${desc.digest} in ${this.description}`);
    const chunks: Buffer[] = [];
    for await (const c of this.openBlob(undefined, desc)) {
      verifier.update(c);
      chunks.push(c);
    }
    verifier.finish();
    return Buffer.concat(chunks);
  }

  holds(digest: string): boolean {
    return this.contents.blobs.has(digest);
  }

  async *openBlob(_at: unknown, desc: Descriptor, range?: ByteRange): BlobChunks {
    if (!this.holds(desc.digest))
      throw new BmpackError('E_NOT_FOUND', `${this.description} has no blob ${desc.digest}`, {
        hint: 'The layout is incomplete: write it again.',
        details: { blob: desc.digest, layout: this.dir },
      });
    if (range !== undefined && range.end <= range.start) return;
    const stream = this.blobs.open(
      desc.digest,
      range === undefined ? undefined : { start: range.start, end: range.end - 1 },
    );
    for await (const chunk of stream) yield chunk as Buffer;
  }

  async close(): Promise<void> {}
}
