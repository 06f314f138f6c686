/**
 * Where images are read from: a registry, a bundle, an OCI image layout
 * directory — one interface, so that the walker and the copy engine are
 * written once (cf. regclient's `scheme.API`, go-containerregistry's
 * `remote` / `layout` siblings).
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { ImageReference } from '../reference/index.js';

/**
 * A repository in a store. Registries use both fields; a bundle or a layout
 * directory holds one content-addressed set of blobs and ignores them.
 */
export interface StoreRepository {
  readonly registry: string;
  readonly repository: string;
}

/** For stores that hold one set of blobs for every image (bundles, layouts): any repository. */
export const anyRepository: StoreRepository = { registry: '', repository: '' };

/** An image a store lists by name (a bundle's or a layout's index.json). */
export interface ListedImage {
  /** As the store writes it: a full reference, a path with a tag, or a bare tag. */
  readonly name: string;
  readonly descriptor: Descriptor;
}

/** Half-open byte range [start, end) of a blob. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface OpenBlobOptions {
  /**
   * False: the caller checks the digest itself (ImageSink.verifiesBlobs),
   * so a source whose streams would hash the bytes (verifiesBlobs) skips
   * that and checks the size only.
   */
  readonly verify?: boolean;
}

export interface ImageSource {
  /** For messages: `bundle /x/y.tar.xz`, `registry gcr.io`, `OCI layout /dir`. */
  readonly description: string;
  /**
   * True when blobs can be opened in any order and several at once. False
   * for a store one decoder reads from front to back (a single-block
   * .tar.xz): blobs must then be opened in {@link ImageSource.blobOrder}.
   */
  readonly randomAccess: boolean;
  /** The order blobs are stored in (what a source without random access requires). */
  readonly blobOrder: readonly string[];
  /** The images the store lists; a registry lists none (ask by reference). */
  readonly images: readonly ListedImage[];
  /**
   * The manifest or index a reference names.
   *
   * @throws BmpackError E_NOT_FOUND when the store has no such image.
   */
  resolve(ref: ImageReference): Promise<Descriptor>;
  /**
   * A manifest, index or config (at most 8 MiB): its exact bytes, verified
   * against `desc.digest`.
   */
  readDocument(at: StoreRepository, desc: Descriptor): Promise<Buffer>;
  /** False when the store lacks a blob its manifests name (a delta bundle leaves some to its base). */
  holds(digest: string): boolean;
  /**
   * The blob's bytes as stored, or `range` of them. Not verified here: every
   * consumer verifies the digest as the bytes pass.
   */
  openBlob(
    at: StoreRepository,
    desc: Descriptor,
    range?: ByteRange,
    opts?: OpenBlobOptions,
  ): BlobChunks;
  /**
   * True when the streams openBlob gives check the digest themselves and
   * fail before their end on a mismatch (a registry's): a sink may then
   * skip hashing the bytes a second time.
   */
  readonly verifiesBlobs?: boolean;
  /** What to do when a blob read from here does not match its digest (a hint). */
  readonly corruptHint?: string;
  /** Releases handles; streams already open finish on their own. */
  close(): Promise<void>;
}
