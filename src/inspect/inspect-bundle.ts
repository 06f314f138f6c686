/**
 * `bmpack bundle inspect`: what a bundle holds, before anyone carries it.
 * A bmpack bundle answers from bmpack.json alone, which openBundleSource
 * reads from the front of the file (the xz Index and first Block, or the
 * first tar headers): a multi-gigabyte bundle is inspected in well under a
 * second, and damage further in does not show here (`bundle verify` finds
 * it). Foreign archives (OCI layouts, docker save) have no such summary:
 * their images' manifests are read to find platforms and closure sizes.
 * The signatures, attestations, SBOMs and other referrers a bmpack bundle
 * carries are listed under the image they belong to, not as images.
 */
import { openBundleSource, type BundleKind, type BundleSource } from '../bundle-reader/index.js';
import type { BundleMetadata } from '../bundle-format/index.js';
import { walkFrom } from '../graph/index.js';
import { referrerKinds, type ReferrerLink } from '../oci/referrer-kinds.js';
import { anyRepository, BundleImageSource } from '../store/index.js';

export interface InspectedImage {
  readonly ref: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly platforms: readonly string[];
  /** Bytes of the image's whole closure (manifests, configs, layers). */
  readonly size: number;
  /** Its signatures, attestations, SBOMs and other referrers the bundle carries (bmpack bundles). */
  readonly referrers: readonly InspectedReferrer[];
}

/** A referrer of an image, as bmpack.json records it. */
export interface InspectedReferrer extends ReferrerLink {
  readonly ref: string;
  readonly digest: string;
}

export interface BundleInspection {
  readonly file: string;
  readonly kind: BundleKind;
  /** bmpack.json's format, else the kind of archive. */
  readonly format: string;
  /** The tool that wrote it (bmpack bundles only). */
  readonly tool: { readonly name: string; readonly version: string } | null;
  readonly name: string | null;
  readonly version: string | null;
  readonly created?: string;
  /** A delta: the bundle whose configs and layers it leaves out. */
  readonly base?: BundleMetadata['base'];
  readonly images: readonly InspectedImage[];
  /** Blobs the file holds, each once. */
  readonly blobs: number;
  readonly bytes: number;
  /** What storing shared blobs once saves, over the blobs the file holds. */
  readonly dedupedBytes: number;
  /** Manifests of foreign archives that could not be read (`bundle verify` says more). */
  readonly warnings: readonly string[];
}

export async function inspectBundle(path: string): Promise<BundleInspection> {
  const source = await openBundleSource(path);
  try {
    return source.metadata !== undefined
      ? fromMetadata(source.path, source.kind, source.metadata)
      : await fromManifests(source);
  } finally {
    await source.close();
  }
}

function fromMetadata(file: string, kind: BundleKind, m: BundleMetadata): BundleInspection {
  return {
    file,
    kind,
    format: m.format,
    tool: m.tool,
    name: m.name,
    version: m.version,
    ...(m.created !== undefined ? { created: m.created } : {}),
    ...(m.base !== undefined ? { base: m.base } : {}),
    images: m.images
      .filter((i) => i.referrer === undefined)
      .map((i) => ({
        ref: i.ref,
        digest: i.digest,
        mediaType: i.mediaType,
        platforms: i.platforms,
        size: i.bytes,
        referrers: referrersOf(i.ref, m),
      })),
    blobs: m.totals.blobs,
    bytes: m.totals.bytes,
    dedupedBytes: m.totals.dedupedBytes,
    warnings: [],
  };
}

/** The referrers that belong to the listed image `ref`, signatures first. */
function referrersOf(ref: string, m: BundleMetadata): InspectedReferrer[] {
  return m.images
    .flatMap((i) =>
      i.referrer !== undefined && i.referrer.of === ref
        ? [{ ref: i.ref, digest: i.digest, ...i.referrer }]
        : [],
    )
    .sort((a, b) => referrerKinds.indexOf(a.kind) - referrerKinds.indexOf(b.kind));
}

async function fromManifests(source: BundleSource): Promise<BundleInspection> {
  const images: InspectedImage[] = [];
  const held = new Map<string, number>();
  const warnings: string[] = [];
  const store = new BundleImageSource(source);
  let heldPerImage = 0;
  for (const image of source.images) {
    const closure = await walkFrom(store, anyRepository, image.descriptor, {
      name: image.name,
      where: `in ${source.path}`,
      tolerant: true,
      findPlatforms: true,
    });
    for (const f of closure.faults) {
      warnings.push(
        `image ${image.name}: manifest ${f.digest} is ${f.missing ? 'missing' : 'unreadable'}; run bmpack bundle verify`,
      );
    }
    for (const item of closure.items) {
      const stored = source.blobSize(item.digest);
      if (stored === undefined) continue;
      held.set(item.digest, stored);
      heldPerImage += stored;
    }
    images.push({
      ref: image.name,
      digest: image.descriptor.digest,
      mediaType: image.descriptor.mediaType,
      platforms: closure.platforms,
      size: closure.items.reduce((s, i) => s + i.size, 0),
      referrers: [],
    });
  }
  const bytes = [...held.values()].reduce((s, n) => s + n, 0);
  return {
    file: source.path,
    kind: source.kind,
    format: source.kind,
    tool: null,
    name: null,
    version: null,
    images,
    blobs: held.size,
    bytes,
    dedupedBytes: heldPerImage - bytes,
    warnings,
  };
}
