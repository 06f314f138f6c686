/**
 * The closure of one image in a bundle: its manifests and indexes (read
 * and verified, children before parents, the order they must be pushed
 * in) and the configs and layers they point at.
 */
import type { BundleSource } from '../archive/bundle-source.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseManifest } from '../oci/manifest.js';

export interface PushDocument {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** Digests of the manifests an index lists (pushed before it); none for a manifest. */
  readonly children: readonly string[];
  /** Digests of a manifest's config and layers (in place before it); none for an index. */
  readonly blobs: readonly string[];
}

export interface PushClosure {
  /** Children first: every manifest comes after the manifests it lists. */
  readonly documents: readonly PushDocument[];
  /** Configs and layers, each digest once. */
  readonly blobs: readonly Descriptor[];
}

export async function readClosure(
  source: BundleSource,
  top: Descriptor,
  what: string,
): Promise<PushClosure> {
  const documents: PushDocument[] = [];
  const blobs = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const visit = async (d: Descriptor): Promise<void> => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    const bytes = await source.readDocument(d.digest);
    const m = parseManifest(bytes, d.mediaType, `${what} manifest ${d.digest}`);
    if (m.kind === 'index') {
      for (const child of m.manifests) await visit(child);
    } else {
      for (const b of [m.config, ...m.layers]) if (!blobs.has(b.digest)) blobs.set(b.digest, b);
    }
    const children = m.kind === 'index' ? m.manifests.map((c) => c.digest) : [];
    const own = m.kind === 'index' ? [] : [m.config, ...m.layers].map((b) => b.digest);
    documents.push({ digest: d.digest, mediaType: m.mediaType, bytes, children, blobs: own });
  };
  await visit(top);
  return { documents, blobs: [...blobs.values()] };
}
