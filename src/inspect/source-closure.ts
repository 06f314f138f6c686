/**
 * Everything one image of a bundle reaches, from the bundle alone: its
 * manifests and indexes (read and verified against their digests), the
 * configs and layers they name (as descriptors, not read), and, when asked,
 * its platforms — from the index's child descriptors, else from the
 * configs, as `bundle create` records them. A document the bundle lacks or
 * cannot give intact is a fault, not an exception: inspect and verify go on
 * and report every image.
 */
import type { BundleSource } from '../archive/bundle-source.js';
import { platformOf } from '../bundle/platform-filter.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseManifest, type AnyManifest } from '../oci/manifest.js';
import { isIndexMediaType } from '../oci/media-types.js';
import { formatPlatform } from '../oci/platform.js';

export type ItemKind = 'index' | 'manifest' | 'config' | 'layer';

export interface ClosureItem {
  readonly digest: string;
  /** As the descriptor that names it says. */
  readonly size: number;
  readonly mediaType: string;
  readonly kind: ItemKind;
}

/** A manifest or index that could not be read: absent, corrupt or not a manifest. */
export interface ClosureFault {
  readonly digest: string;
  readonly missing: boolean;
  readonly error?: BmpackError;
}

export interface SourceClosure {
  /** Each digest once, the top first, parents before children. */
  readonly items: readonly ClosureItem[];
  readonly platforms: readonly string[];
  readonly faults: readonly ClosureFault[];
}

/** Configs above this are not image configs: no platform is read from them. */
const maxConfigBytes = 8 * 1024 * 1024;

export interface WalkOptions {
  /** Also find the platforms (reads the configs of manifests without one). */
  readonly platforms?: boolean;
  /** Manifests and indexes already read and verified elsewhere, by digest. */
  readonly documents?: ReadonlyMap<string, Buffer>;
}

export async function walkClosure(
  source: BundleSource,
  top: Descriptor,
  o: WalkOptions = {},
): Promise<SourceClosure> {
  const items = new Map<string, ClosureItem>();
  const platforms = new Set<string>();
  const faults: ClosureFault[] = [];
  const add = (d: Descriptor, kind: ItemKind): void => {
    if (!items.has(d.digest))
      items.set(d.digest, { digest: d.digest, size: d.size, mediaType: d.mediaType, kind });
  };
  const visit = async (d: Descriptor, platform: string | undefined): Promise<void> => {
    if (items.has(d.digest)) return;
    add(d, isIndexMediaType(d.mediaType) ? 'index' : 'manifest');
    const m = await readManifest(source, d, o.documents, faults);
    if (m === undefined) return;
    // The document's own kind wins over what its media type suggested.
    items.set(d.digest, { digest: d.digest, size: d.size, mediaType: d.mediaType, kind: m.kind });
    if (m.kind === 'index') {
      for (const child of m.manifests) await visit(child, platformOf(child));
      return;
    }
    add(m.config, 'config');
    for (const layer of m.layers) add(layer, 'layer');
    if (o.platforms !== true) return;
    const p = platform ?? (await configPlatform(source, m.config));
    if (p !== undefined && p !== 'unknown/unknown') platforms.add(p);
  };
  await visit(top, undefined);
  return { items: [...items.values()], platforms: [...platforms], faults };
}

async function readManifest(
  source: BundleSource,
  d: Descriptor,
  known: ReadonlyMap<string, Buffer> | undefined,
  faults: ClosureFault[],
): Promise<AnyManifest | undefined> {
  if (source.blobSize(d.digest) === undefined) {
    faults.push({ digest: d.digest, missing: true });
    return undefined;
  }
  try {
    const bytes = known?.get(d.digest) ?? (await source.readDocument(d.digest));
    return parseManifest(bytes, d.mediaType, `manifest ${d.digest} in ${source.path}`);
  } catch (err) {
    if (!(err instanceof BmpackError)) throw err;
    faults.push({ digest: d.digest, missing: false, error: err });
    return undefined;
  }
}

/** os/architecture[/variant] of an image config, when it is one and is intact. */
async function configPlatform(
  source: BundleSource,
  config: Descriptor,
): Promise<string | undefined> {
  const size = source.blobSize(config.digest);
  if (size === undefined || size > maxConfigBytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse((await source.readDocument(config.digest)).toString('utf8'));
  } catch (err) {
    if (err instanceof BmpackError || err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { os, architecture, variant } = json as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return formatPlatform({ os, architecture, ...(typeof variant === 'string' ? { variant } : {}) });
}
