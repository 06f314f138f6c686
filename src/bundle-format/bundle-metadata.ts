/**
 * bmpack.json: what a bundle holds, written before any blob so that a
 * reader knows the whole plan first (docs/bundle-format.md).
 */
import type { ReferrerLink } from '../oci/referrer-kinds.js';

export const bundleFormat = 'bmpack.io/bundle/v1';

export interface BundleImageRecord {
  /** Full normalised reference as listed. */
  readonly ref: string;
  /** Digest of what index.json points at (a filtered index when a platform filter applied). */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly platforms: readonly string[];
  /** The registry's index digest, when the platform filter rewrote it. */
  readonly originalIndexDigest?: string;
  /** Bytes of the image's whole closure (manifests, configs, layers). */
  readonly bytes: number;
  /**
   * A signature, attestation, SBOM or other referrer carried with another
   * image: which listed image it belongs to and which digest it is about.
   */
  readonly referrer?: ReferrerLink;
}

export interface BundleBlobRecord {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly kind: 'index' | 'manifest' | 'config' | 'layer';
}

export interface BundleMetadata {
  readonly format: typeof bundleFormat;
  readonly tool: { readonly name: 'bmpack'; readonly version: string };
  readonly name: string;
  readonly version: string;
  /** A delta bundle: the bundle whose blobs it leaves out (issue: delta bundles). */
  readonly base?: { readonly name: string; readonly version: string; readonly sha256: string };
  /** Only when SOURCE_DATE_EPOCH is set: builds stay reproducible. */
  readonly created?: string;
  readonly images: readonly BundleImageRecord[];
  /** Every blob, in the order of the tar entries that follow the metadata. */
  readonly blobs: readonly BundleBlobRecord[];
  readonly totals: {
    readonly images: number;
    readonly blobs: number;
    /** Sum of the blob sizes, each blob once. */
    readonly bytes: number;
    /** What listing each image's blobs separately would add: the saving of dedupe. */
    readonly dedupedBytes: number;
  };
}
