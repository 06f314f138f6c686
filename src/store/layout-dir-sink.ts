/**
 * An OCI image layout directory as an {@link ImageSink}. Blobs and
 * manifests land under their digests through a temporary name and a rename,
 * verified as they are written; a tag is an index.json entry, named by
 * `org.opencontainers.image.ref.name` (as skopeo's `oci:DIR:REF` writes it)
 * and, for a full reference, `io.containerd.image.name` (what
 * `ctr images import` names the image by). index.json is written once, at
 * close, whole or not at all, keeping the entries already there.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { containerdNameAnnotation, refNameAnnotation } from '../bundle-reader/index.js';
import { layoutIndexFile, layoutJson, ociLayout, ociLayoutFile } from '../bundle-format/index.js';
import type { BlobChunks } from '../content/blob-chunks.js';
import { sha256Digest } from '../content/digest.js';
import { isDigest, type Descriptor } from '../oci/descriptor.js';
import { MediaType } from '../oci/media-types.js';
import { writeFileAtomic } from '../fs/write-atomic.js';
import type { ListedImage } from './image-source.js';
import { putIntoStore } from './cache-put.js';
import type { ImageSink, PutBlobOptions, PutBlobResult } from './image-sink.js';
import { layoutBlobs, readLayout } from './layout-dir.js';

export class LayoutDirSink implements ImageSink {
  readonly description: string;
  private readonly blobs;
  /** index.json's entries by name, in order; new names are appended. */
  private readonly entries = new Map<string, ListedImage>();
  private readonly unnamed: ListedImage[] = [];
  private changed = false;

  private constructor(readonly dir: string) {
    this.description = `OCI layout ${dir}`;
    this.blobs = layoutBlobs(dir);
  }

  /**
   * Opens `dir` as a layout, creating it (and oci-layout) when it does not
   * exist yet — unless `create` is false (a dry run), which writes nothing.
   */
  static async open(dir: string, create = true): Promise<LayoutDirSink> {
    const sink = new LayoutDirSink(dir);
    if (await exists(join(dir, ociLayoutFile))) {
      for (const image of (await readLayout(dir)).images) sink.keep(image);
    } else if (create) {
      await writeFileAtomic(join(dir, ociLayoutFile), ociLayout());
      sink.changed = true;
    }
    if (create) await sink.blobs.sweep();
    return sink;
  }

  async blobSize(_repository: string, digest: string): Promise<number | undefined> {
    return this.blobs.size(digest);
  }

  async putBlob(
    _repository: string,
    desc: Descriptor,
    open: () => BlobChunks,
    opts: PutBlobOptions = {},
  ): Promise<PutBlobResult> {
    return putIntoStore(this.blobs, desc, open, {
      ...opts,
      what: `blob ${desc.digest} for ${this.description}`,
    });
  }

  async hasManifest(_repository: string, digest: string): Promise<boolean> {
    return (await this.blobs.size(digest)) !== undefined;
  }

  tagDigest(repository: string, tag: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(imageName(repository, tag))?.descriptor.digest);
  }

  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<void> {
    const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
    await this.blobs.putBytes(desc, bytes, `manifest ${desc.digest} for ${this.description}`);
    if (isDigest(reference)) return;
    const name = imageName(repository, reference);
    this.entries.delete(name);
    this.keep({ name, descriptor: { ...desc, annotations: annotationsFor(name) } });
    this.changed = true;
  }

  /** Writes index.json when anything was tagged. */
  async close(): Promise<void> {
    if (!this.changed) return;
    const manifests = [...this.unnamed, ...this.entries.values()].map((i) => i.descriptor);
    await writeFileAtomic(
      join(this.dir, layoutIndexFile),
      layoutJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }),
    );
  }

  private keep(image: ListedImage): void {
    if (image.name === '') this.unnamed.push(image);
    else this.entries.set(image.name, image);
  }
}

/** `repository:tag`, or the tag alone for an image named only by it (`oci:DIR:NAME`). */
function imageName(repository: string, tag: string): string {
  return repository === '' ? tag : `${repository}:${tag}`;
}

/** ref.name always; containerd's name only for a full reference (it has a registry or path). */
function annotationsFor(name: string): Record<string, string> {
  return {
    ...(name.includes('/') ? { [containerdNameAnnotation]: name } : {}),
    [refNameAnnotation]: name,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
