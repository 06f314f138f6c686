/**
 * Resolve one listed image: follow its index (or Docker manifest list),
 * apply the platform filter, fetch the child manifests and the configs,
 * and list every blob it needs. Without a filter the registry's bytes and
 * digest are kept; with one, a new index lists the kept children and the
 * original index digest is recorded.
 */
import { sha256Digest } from '../content/digest.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { AnyManifest, ImageManifest } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type PlatformSpec } from '../oci/platform.js';
import { formatReference, withDigest, type ImageReference } from '../reference/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { BlobFetcher } from './blob-fetcher.js';
import type { BundleBlob, BundleDocument, ResolvedImage } from './image-closure.js';
import { filterIndexBytes, platformOf, selectChildren } from './platform-filter.js';
import { readConfigPlatform } from './config-platform.js';

export interface ResolveContext {
  readonly client: RegistryClient;
  readonly fetcher: BlobFetcher;
}

interface Collected {
  readonly documents: BundleDocument[];
  readonly blobs: Map<string, BundleBlob>;
  readonly platforms: string[];
}

export async function resolveImage(
  ctx: ResolveContext,
  ref: ImageReference,
  wanted: readonly PlatformSpec[] | undefined,
): Promise<ResolvedImage> {
  const reference = formatReference(ref);
  const top = await ctx.client.getManifest(ref);
  const acc: Collected = { documents: [], blobs: new Map(), platforms: [] };
  let topDoc = doc(top.digest, top.mediaType, top.bytes, top.manifest);
  let originalIndexDigest: string | undefined;
  if (top.manifest.kind === 'index') {
    const children =
      wanted === undefined
        ? [...top.manifest.manifests]
        : selectChildren(top.manifest.manifests, wanted, reference);
    if (children.length !== top.manifest.manifests.length) {
      const kept = new Set(children.map((c) => c.digest));
      const bytes = filterIndexBytes(top.bytes, kept, reference);
      topDoc = { digest: sha256Digest(bytes), mediaType: top.mediaType, kind: 'index', bytes };
      originalIndexDigest = top.digest;
    }
    acc.documents.push(topDoc);
    for (const child of children) await addChild(ctx, ref, child, acc);
  } else {
    acc.documents.push(topDoc);
    const platform = await addImageManifest(ctx, ref, top.manifest, acc);
    if (platform !== undefined) acc.platforms.push(platform);
    if (wanted !== undefined) checkSinglePlatform(reference, platform, wanted);
  }
  return {
    reference,
    registry: ref.registry,
    repository: ref.repository,
    top: topDoc,
    platforms: [...new Set(acc.platforms)],
    ...(originalIndexDigest !== undefined ? { originalIndexDigest } : {}),
    documents: dedupeDocuments(acc.documents),
    blobs: [...acc.blobs.values()],
  };
}

function doc(digest: string, mediaType: string, bytes: Buffer, m: AnyManifest): BundleDocument {
  return { digest, mediaType, kind: m.kind, bytes };
}

async function addChild(
  ctx: ResolveContext,
  ref: ImageReference,
  child: Descriptor,
  acc: Collected,
): Promise<void> {
  const fetched = await ctx.client.getManifest(withDigest(ref, child.digest));
  acc.documents.push(doc(fetched.digest, fetched.mediaType, fetched.bytes, fetched.manifest));
  if (fetched.manifest.kind === 'index') {
    // A nested index is kept whole: filters apply at the top level only.
    for (const grandchild of fetched.manifest.manifests) await addChild(ctx, ref, grandchild, acc);
    return;
  }
  const fromConfig = await addImageManifest(ctx, ref, fetched.manifest, acc);
  const platform = platformOf(child) ?? fromConfig;
  if (platform !== undefined && platform !== 'unknown/unknown') acc.platforms.push(platform);
}

/** Adds config and layers; returns the platform named by the config. */
async function addImageManifest(
  ctx: ResolveContext,
  ref: ImageReference,
  m: ImageManifest,
  acc: Collected,
): Promise<string | undefined> {
  acc.blobs.set(m.config.digest, {
    digest: m.config.digest,
    size: m.config.size,
    mediaType: m.config.mediaType,
    kind: 'config',
  });
  for (const l of m.layers) {
    if (!acc.blobs.has(l.digest))
      acc.blobs.set(l.digest, {
        digest: l.digest,
        size: l.size,
        mediaType: l.mediaType,
        kind: 'layer',
      });
  }
  const platform = await readConfigPlatform(ctx.fetcher, ref, m.config);
  return platform === undefined ? undefined : formatPlatform(platform);
}

function checkSinglePlatform(
  reference: string,
  platform: string | undefined,
  wanted: readonly PlatformSpec[],
): void {
  for (const p of wanted) {
    const [os = '', architecture = '', variant] = (platform ?? '').split('/');
    const candidate = { os, architecture, ...(variant !== undefined ? { variant } : {}) };
    if (platform === undefined || !platformMatches(p, candidate)) {
      throw new BmpackError(
        'E_PLATFORM_MISSING',
        `image ${reference} is a single ${platform ?? 'unknown-platform'} image and has no ${formatPlatform(p)}`,
        {
          hint: 'Remove that platform for this image (entry-level "platforms:" in the manifest), or pick a multi-platform tag.',
          details: { image: reference, platform: formatPlatform(p) },
        },
      );
    }
  }
}

function dedupeDocuments(docs: readonly BundleDocument[]): BundleDocument[] {
  const seen = new Map<string, BundleDocument>();
  for (const d of docs) if (!seen.has(d.digest)) seen.set(d.digest, d);
  return [...seen.values()];
}
