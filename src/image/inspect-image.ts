/**
 * What `bmpack image inspect` reports: resolve a reference to its digest
 * and say what it holds (platforms of an index, layers of a manifest).
 */
import type { Descriptor, Platform } from '../oci/descriptor.js';
import { formatReference, type ImageReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { FetchedManifest } from '../registry/manifests.js';
import { BmpackError } from '../errors.js';
import { formatPlatform, selectPlatform, type PlatformSpec } from '../oci/platform.js';

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
  /** With a platform asked for: the index the manifest was chosen from. */
  readonly index?: string;
}

/** What was inspected, and the exact bytes of its manifest (for --raw). */
export interface InspectedImage {
  readonly inspection: ImageInspection;
  readonly bytes: Buffer;
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

/**
 * The manifest `ref` names, or with `platform` the one an index holds for
 * it, chosen as containerd chooses (selectPlatform).
 */
export async function inspectImage(
  client: RegistryClient,
  ref: ImageReference,
  platform?: PlatformSpec,
): Promise<InspectedImage> {
  const top = await client.getManifest(ref);
  if (platform === undefined || top.manifest.kind !== 'index')
    return { inspection: describe(ref, top), bytes: top.bytes };
  const chosen = choose(top.manifest.manifests, platform, ref);
  const fetched = await client.getManifest({ ...ref, digest: chosen.digest });
  return {
    inspection: { ...describe(ref, fetched), index: top.digest },
    bytes: fetched.bytes,
  };
}

function choose(children: readonly Descriptor[], wanted: PlatformSpec, ref: ImageReference) {
  const candidates = children.flatMap((d) =>
    d.platform !== undefined ? [{ ...d.platform, descriptor: d }] : [],
  );
  const found = selectPlatform(wanted, candidates);
  if (found !== undefined) return found.descriptor;
  const has = candidates.map((c) => formatPlatform(c)).join(', ') || 'no platform';
  throw new BmpackError(
    'E_PLATFORM_MISSING',
    `${formatReference(ref)} has no ${formatPlatform(wanted)} manifest: it has ${has}`,
    { hint: 'Ask for one of the platforms it has.', details: { image: formatReference(ref) } },
  );
}

function describe(ref: ImageReference, fetched: FetchedManifest): ImageInspection {
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
