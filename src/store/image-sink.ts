/**
 * Where images are written: a registry repository, an OCI image layout
 * directory (and, through the copy engine, a bundle). What the copy engine
 * needs and nothing more: ask what is there, put what is missing, mount
 * where the sink can, put manifests after their children, tags last.
 */
import type { BlobChunks } from '../content/blob-chunks.js';
import type { Descriptor } from '../oci/descriptor.js';

export interface PutBlobOptions {
  /**
   * Mount the blob from this repository of the same sink instead of sending
   * it, where the sink can (distribution-spec "Mounting a blob from another
   * repository"); when it cannot, the bytes are sent after all.
   */
  readonly mountFrom?: string;
  /** The source's stream checks the digest itself (ImageSource.verifiesBlobs): hashing again is optional. */
  readonly verified?: boolean;
  /** Called with the number of new bytes as they are written. */
  readonly onBytes?: (n: number) => void;
}

export type PutBlobResult = 'uploaded' | 'mounted';

export interface ImageSink {
  /** For messages: `registry 10.0.0.5:5000`, `OCI layout /dir`. */
  readonly description: string;
  /**
   * True when putBlob checks every blob's digest itself, off the main
   * thread (a bundle's blob relay): the copy engine then asks the source
   * not to hash the bytes (ImageSource.openBlob `verify: false`), so they
   * are hashed once, elsewhere.
   */
  readonly verifiesBlobs?: boolean;
  /**
   * Fail, before anything is written, when the sink will not take some of
   * these repository names (a registry that limits their depth). Sinks
   * that take any name leave it out.
   */
  checkRepositories?(repositories: readonly string[]): Promise<void>;
  /** The blob's size in `repository`, or undefined when it is absent. */
  blobSize(repository: string, digest: string): Promise<number | undefined>;
  /**
   * Write a blob (or mount it: `opts.mountFrom`), verifying `desc` as the
   * bytes pass; `open` makes a fresh stream for each attempt. Nothing is
   * committed when they do not match.
   */
  putBlob(
    repository: string,
    desc: Descriptor,
    open: () => BlobChunks,
    opts?: PutBlobOptions,
  ): Promise<PutBlobResult>;
  /** Whether `repository` holds the manifest. */
  hasManifest(repository: string, digest: string): Promise<boolean>;
  /** The digest `repository:tag` names, or undefined when there is no such tag. */
  tagDigest(repository: string, tag: string): Promise<string | undefined>;
  /**
   * Store a manifest or index by digest, or set `tag` to it. Its blobs and
   * children must be in place first (distribution-spec "Pushing Manifests").
   */
  putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<void>;
  /** Make what was written visible (a layout's index.json) and release handles. */
  close(): Promise<void>;
}
