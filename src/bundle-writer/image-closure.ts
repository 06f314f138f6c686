/**
 * What one listed image brings into a bundle: its manifests and indexes
 * (small JSON documents, held in memory as their exact bytes) and its
 * configs and layers (blobs, fetched later by digest). Pure.
 */
import type { PlannedImage } from '../copy/index.js';
import type { ImageGraph } from '../graph/index.js';
import { BmpackError } from '../errors.js';
import { parseManifest } from '../oci/manifest.js';
import { predicateTypesOf, type ReferrerLink } from '../oci/referrer-kinds.js';
import { formatReference } from '../reference/index.js';

export type BlobKind = 'index' | 'manifest' | 'config' | 'layer';

export interface BundleDocument {
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: 'index' | 'manifest';
  readonly bytes: Buffer;
}

export interface BundleBlob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly kind: BlobKind;
}

export interface ResolvedImage {
  /** The full normalised reference as listed. */
  readonly reference: string;
  /** The repository it was pulled from, for blob fetches. */
  readonly registry: string;
  readonly repository: string;
  /** The object the bundle's index.json points at for this image. */
  readonly top: BundleDocument;
  /** os/arch[/variant] of what is kept. */
  readonly platforms: readonly string[];
  /** When a platform filter rewrote the index: the registry's original index digest. */
  readonly originalIndexDigest?: string;
  readonly documents: readonly BundleDocument[];
  /** Configs and layers, each digest once. */
  readonly blobs: readonly BundleBlob[];
  /** A signature or other referrer: what it is about. */
  readonly referrer?: ReferrerLink;
}

/** Every digest of an image's closure with its size (documents and blobs). */
export function closureSizes(image: ResolvedImage): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of image.documents) out.set(d.digest, d.bytes.length);
  for (const b of image.blobs) out.set(b.digest, b.size);
  return out;
}

/** An image as the copy engine walked it (with its platform filter applied), as the bundle records it. */
export function resolvedImage({ request, graph }: PlannedImage): ResolvedImage {
  const image = graphImage(formatReference(request.from), request.from, graph);
  return request.referrer !== undefined
    ? { ...image, referrer: withPredicates(request.referrer, image.top.bytes, image.reference) }
    : image;
}

/** An image's record from its walked graph: its top is the last document (children come first). */
export function graphImage(
  reference: string,
  from: { readonly registry: string; readonly repository: string },
  graph: ImageGraph,
): ResolvedImage {
  const top = graph.documents.at(-1);
  if (top === undefined)
    throw new BmpackError('E_INTERNAL', `image ${reference}: the walk returned no document`, {
      hint: 'This is a bug in bmpack: please report it.',
    });
  return {
    reference,
    registry: from.registry,
    repository: from.repository,
    top,
    platforms: graph.platforms,
    ...(graph.originalIndexDigest !== undefined
      ? { originalIndexDigest: graph.originalIndexDigest }
      : {}),
    documents: graph.documents,
    blobs: graph.blobs,
  };
}

/** An attestation's record names its predicate types (read from the manifest walked). */
function withPredicates(link: ReferrerLink, bytes: Buffer, where: string): ReferrerLink {
  if (link.kind !== 'attestation' || link.predicateTypes !== undefined) return link;
  const m = parseManifest(bytes, undefined, where);
  const types = m.kind === 'manifest' ? predicateTypesOf(m.layers) : [];
  return types.length > 0 ? { ...link, predicateTypes: types } : link;
}
