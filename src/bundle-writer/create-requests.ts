/**
 * What `bundle create` asks of the copy engine: each listed image as a
 * request (platforms, and how a digest-pinned index is carried), and the
 * warnings for pinned indexes carried whole.
 */
import type { CopyRequest, PlannedImage } from '../copy/index.js';
import { reachableBytes } from '../graph/index.js';
import type { ImageSetEntry } from '../image-set/index.js';
import type { PlatformSpec } from '../oci/platform.js';
import { formatReference } from '../reference/index.js';

/** An image set's entry as the engine's request: from its registry into the bundle, under its own name. */
export function createRequest(
  entry: ImageSetEntry,
  platforms: readonly PlatformSpec[] | undefined,
): CopyRequest {
  const reference = formatReference(entry.ref);
  // A digest names exactly one index: filtering it would make another one.
  const pinned =
    entry.ref.digest !== undefined && platforms !== undefined
      ? { pinned: entry.strictPlatforms === true ? ('strict' as const) : ('whole' as const) }
      : {};
  return {
    name: reference,
    sourceName: reference,
    from: entry.ref,
    ...(platforms !== undefined ? { platforms } : {}),
    ...pinned,
    to: {
      repository: `${entry.ref.registry}/${entry.ref.repository}`,
      ...(entry.ref.tag !== undefined ? { tag: entry.ref.tag } : {}),
    },
  };
}

/** What carrying pinned indexes whole costs: one warning per image, with the extra size. */
export function pinnedWarnings(planned: readonly PlannedImage[]): string[] {
  return planned.flatMap(({ request, graph }) => {
    if (graph.pinnedWhole === undefined) return [];
    const all = reachableBytes(graph, [graph.top.digest]);
    const asked = graph.top.size + reachableBytes(graph, graph.pinnedWhole);
    return [
      `image ${request.sourceName} is pinned by digest: its index is carried whole, all ${graph.platforms.length} platforms, ${formatMegabytes(all - asked)} more than the platforms asked for (set strictPlatforms on the entry to refuse instead, or pin a platform manifest's digest)`,
    ];
  });
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
