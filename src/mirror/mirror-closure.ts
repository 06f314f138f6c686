/**
 * Whether the mirror serves an image whole, not just its top manifest: a
 * node pulls the index, then its platform's manifest, config and layers,
 * and any of them missing at the mirror sends containerd to the public
 * registry. The image is walked in the mirror itself (the walker, tolerant:
 * an absent manifest is a fault, not an error) and every config and layer
 * it names is asked for.
 */
import type pLimit from 'p-limit';
import { walkFrom } from '../graph/index.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { ImageReference } from '../reference/index.js';
import type { RegistrySink, RegistrySource } from '../store/index.js';

/** Digests the image reaches that the mirror does not serve (empty: it serves it whole). */
export async function missingAtMirror(
  mirror: { readonly source: RegistrySource; readonly sink: RegistrySink },
  at: ImageReference,
  top: Descriptor,
  limit: ReturnType<typeof pLimit>,
): Promise<string[]> {
  const graph = await walkFrom(mirror.source, at, top, { name: at.repository, tolerant: true });
  const missing = graph.faults.map((f) => f.digest);
  const sizes = await Promise.all(
    graph.blobs.map((b) => limit(() => mirror.sink.blobSize(at.repository, b.digest))),
  );
  graph.blobs.forEach((b, i) => {
    if (sizes[i] !== b.size) missing.push(b.digest);
  });
  return missing;
}
