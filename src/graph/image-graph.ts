/**
 * An image as a graph: the index or manifest at its top, the manifests an
 * index lists, and the configs and layers the manifests name. What the
 * walker returns and what create, push, copy, inspect and verify consume.
 */
import type { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';

export type GraphItemKind = 'index' | 'manifest' | 'config' | 'layer';

/** A manifest or index, read and verified: its exact bytes are its identity. */
export interface GraphDocument {
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: 'index' | 'manifest';
  readonly bytes: Buffer;
  /** Digests of the manifests an index lists (in place before it); none for a manifest. */
  readonly children: readonly string[];
  /** Digests of a manifest's config and layers (in place before it); none for an index. */
  readonly blobs: readonly string[];
  /** The digest a referrer's `subject` names (image-spec manifest.md "subject"). */
  readonly subject?: string;
}

/** A config or layer, as the manifest that names it describes it. */
export interface GraphBlob extends Descriptor {
  readonly kind: 'config' | 'layer';
}

/** Everything an image reaches, as its descriptors say (sizes not checked against content). */
export interface GraphItem {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly kind: GraphItemKind;
}

/** A manifest or index that could not be read (tolerant walks only). */
export interface GraphFault {
  readonly digest: string;
  /** True when the store lacks it; false when it is there but corrupt or not a manifest. */
  readonly missing: boolean;
  readonly error?: BmpackError;
}

export interface ImageGraph {
  /** The top document: the image's own, or the filtered index a platform filter wrote. */
  readonly top: Descriptor;
  /** Each manifest and index once, children before parents (the order they are written in). */
  readonly documents: readonly GraphDocument[];
  /** Configs and layers, each digest once. */
  readonly blobs: readonly GraphBlob[];
  /** Every digest reached, each once, parents before children. */
  readonly items: readonly GraphItem[];
  /** os/arch[/variant] of the manifests kept, each once. */
  readonly platforms: readonly string[];
  /** When a platform filter wrote a new index: the digest of the original one. */
  readonly originalIndexDigest?: string;
  /** Documents a tolerant walk could not read; always empty otherwise. */
  readonly faults: readonly GraphFault[];
  /**
   * An index pinned by digest, carried whole although platforms were asked
   * for: the digests of the children the filter would have kept.
   */
  readonly pinnedWhole?: readonly string[];
}
