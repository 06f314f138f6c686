/**
 * The JSON documents a bundle writes at its root, in their exact bytes:
 * two-space indented, with a final newline, so that the same images give
 * the same bundle. Pure.
 */
import { MediaType } from '../oci/media-types.js';
import type { BundleImageRecord } from './bundle-metadata.js';

/** A document's bytes as bmpack writes them. */
export function layoutJson(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

/** oci-layout (image-spec image-layout.md). */
export function ociLayout(): Buffer {
  return layoutJson({ imageLayoutVersion: '1.0.0' });
}

/** index.json (image-spec image-layout.md): one descriptor per listed image. */
export function layoutIndex(images: readonly BundleImageRecord[]): Buffer {
  const manifests = images.map((i) => ({
    mediaType: i.mediaType,
    digest: i.digest,
    size: i.size,
    annotations: { 'io.containerd.image.name': i.ref, 'org.opencontainers.image.ref.name': i.ref },
  }));
  return layoutJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests });
}
