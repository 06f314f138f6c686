/**
 * Resolve one listed image: walk it in its registry with the platform
 * filter applied. Without a filter the registry's bytes and digest are
 * kept; with one, a new index lists the kept children and the original
 * index digest is recorded.
 */
import { BmpackError } from '../errors.js';
import { walkImage } from '../graph/index.js';
import type { PlatformSpec } from '../oci/platform.js';
import { formatReference, type ImageReference } from '../reference/index.js';
import type { ImageSource } from '../store/index.js';
import type { ResolvedImage } from './image-closure.js';

export async function resolveImage(
  source: ImageSource,
  ref: ImageReference,
  wanted: readonly PlatformSpec[] | undefined,
): Promise<ResolvedImage> {
  const reference = formatReference(ref);
  const graph = await walkImage(source, ref, {
    name: reference,
    findPlatforms: true,
    ...(wanted !== undefined ? { platforms: wanted } : {}),
  });
  // Children come before parents: the top is last.
  const top = graph.documents.at(-1);
  if (top === undefined)
    throw new BmpackError('E_INTERNAL', `image ${reference}: the walk returned no document`);
  return {
    reference,
    registry: ref.registry,
    repository: ref.repository,
    top,
    platforms: graph.platforms,
    ...(graph.originalIndexDigest !== undefined
      ? { originalIndexDigest: graph.originalIndexDigest }
      : {}),
    documents: graph.documents,
    blobs: graph.blobs,
  };
}
