/**
 * Where things are in an OCI image layout (image-spec image-layout.md) and
 * in a bmpack bundle, which is one (docs/bundle-format.md): the three
 * documents at the root, and blobs under `blobs/<algorithm>/<encoded>`. Pure.
 */

/** The layout marker: `{"imageLayoutVersion": "1.0.0"}`. */
export const ociLayoutFile = 'oci-layout';
/** The layout's index: one descriptor per image. */
export const layoutIndexFile = 'index.json';
/** bmpack's own metadata, written before any blob. */
export const bundleMetadataFile = 'bmpack.json';

/** `sha256:abc…` → `blobs/sha256/abc…`. */
export function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

const blobPathPattern = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/;

/**
 * The digest a layout path stands for (image-spec image-layout.md: blobs at
 * `blobs/<alg>/<encoded>`), or undefined when the path is not a blob's.
 */
export function digestOfBlobPath(path: string): string | undefined {
  const m = blobPathPattern.exec(path);
  if (m === null) return undefined;
  const [, alg, hex] = m;
  if (alg === undefined || hex === undefined) return undefined;
  if (hex.length !== (alg === 'sha256' ? 64 : 128)) return undefined;
  return `${alg}:${hex}`;
}

/** True for any path under `blobs/<alg>/` (blob-like, whether or not well formed). */
export function looksLikeBlobPath(path: string): boolean {
  return /^blobs\/[^/]+\/[^/]+$/.test(path);
}
