/**
 * What `bmpack image inspect` reports: resolve a reference to its digest
 * and say what it holds (platforms of an index, layers of a manifest).
 */
import type { Descriptor, Platform } from '../oci/descriptor.js';
import { formatReference, type ImageReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';

export interface ImageInspection {
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  /** Size of the manifest itself. */
  readonly size: number;
  /** os/arch[/variant] of each child of an index; empty for a single manifest. */
  readonly platforms: readonly string[];
  readonly manifests: ReadonlyArray<{
    readonly digest: string;
    readonly mediaType: string;
    readonly platform?: string;
    readonly size: number;
  }>;
  /** Layers of a single manifest, with their total compressed size. */
  readonly layers: number;
  readonly layersSize: number;
}

export function platformString(p: Platform | undefined): string | undefined {
  if (p === undefined) return undefined;
  return [p.os, p.architecture, ...(p.variant !== undefined ? [p.variant] : [])].join('/');
}

function child(d: Descriptor): ImageInspection['manifests'][number] {
  const platform = platformString(d.platform);
  return {
    digest: d.digest,
    mediaType: d.mediaType,
    size: d.size,
    ...(platform !== undefined ? { platform } : {}),
  };
}

export async function inspectImage(
  client: RegistryClient,
  ref: ImageReference,
): Promise<ImageInspection> {
  const fetched = await client.getManifest(ref);
  const m = fetched.manifest;
  const manifests = m.kind === 'index' ? m.manifests.map(child) : [];
  const layers = m.kind === 'manifest' ? m.layers : [];
  return {
    reference: formatReference(ref),
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    size: fetched.bytes.length,
    platforms: manifests.flatMap((c) => (c.platform !== undefined ? [c.platform] : [])),
    manifests,
    layers: layers.length,
    layersSize: layers.reduce((sum, l) => sum + l.size, 0),
  };
}
