/**
 * A bundle to push from: ours, or any tar / tar.xz holding an OCI image
 * layout, or a `docker save` archive. Blobs are read in place, never
 * extracted to disk.
 */
import type { BundleMetadata } from '../bundle-format/index.js';
import type { Descriptor } from '../oci/descriptor.js';

export type { BlobChunks } from '../content/blob-chunks.js';
import type { BlobChunks } from '../content/blob-chunks.js';

export type BundleKind = 'bmpack' | 'oci-layout' | 'docker-archive';

export interface SourceImage {
  /**
   * The name the archive gives the image, as written: a full reference
   * (`gcr.io/x/y:1`), a path with a tag (`library/nginx:1.25`), or a bare
   * tag (`1.25`). From `io.containerd.image.name`, else
   * `org.opencontainers.image.ref.name`, else docker's RepoTags.
   */
  readonly name: string;
  /** The manifest or index the name points at. */
  readonly descriptor: Descriptor;
}

export interface BundleSource {
  readonly path: string;
  readonly kind: BundleKind;
  /** bmpack.json, when the archive has one. */
  readonly metadata?: BundleMetadata;
  readonly images: readonly SourceImage[];
  /**
   * True when blobs can be opened in any order and several at once (a plain
   * tar, a bmpack bundle, a multi-block .tar.xz). False for a single-block
   * .tar.xz, which one decoder reads from front to back.
   */
  readonly randomAccess: boolean;
  /** Size of a blob the archive holds, or undefined when it lacks it. */
  blobSize(digest: string): number | undefined;
  /**
   * A small blob (manifest, index, config; at most 8 MiB) read whole and
   * verified against its digest: E_DIGEST_MISMATCH naming the blob and the
   * bundle when they differ, E_BUNDLE_INVALID when the archive lacks it.
   */
  readDocument(digest: string): Promise<Buffer>;
  /**
   * The blob's bytes as stored (not verified here: the consumer verifies
   * as they pass). For sources without random access, blobs must be opened
   * in {@link BundleSource.blobOrder} order, one at a time: a blob that
   * starts being read while another is still being read waits until that
   * one ends or is stopped (`return()`), and a blob earlier than the
   * decoder's position (a retry) is served by decoding again from the start
   * of the file. Read every blob to its end or stop it: in a .tar.xz with
   * LZMA-compressed blocks, a half-read blob holds xz-decompress's
   * process-wide decoder (src/xz/embedded-block-decoder.ts). The archive is
   * checked for the blob when this is called, not when reading starts.
   *
   * @throws BmpackError E_BUNDLE_INVALID naming the blob when the archive lacks it.
   */
  openBlob(digest: string): BlobChunks;
  /** The order blobs appear in the archive (what sequential sources require). */
  readonly blobOrder: readonly string[];
  /** Releases file handles and decoders; streams already open finish on their own. */
  close(): Promise<void>;
}
