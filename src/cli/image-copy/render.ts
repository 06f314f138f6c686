/** `image copy` for people: what was copied, or with --dry-run what would be. */
import type { ImageCopyResult } from '../../image/copy-image.js';
import { formatBytes } from '../format-bytes.js';

export function renderImageCopyResult(r: ImageCopyResult): string[] {
  if (r.plan !== undefined) {
    const p = r.plan;
    return [
      `dry run: ${r.source} -> ${r.destination}; nothing was written`,
      `  ${p.uploads.length} blobs to copy (${formatBytes(p.bytesToUpload)}), ${p.mounts.length} to mount, ${p.skipped} already there`,
      `  ${p.manifests} manifests to put; tags: ${p.tags.filter((t) => !t.skip).length} to set, ${p.tags.filter((t) => t.skip).length} already set`,
    ];
  }
  return [
    `copied ${r.images.length} images in ${r.seconds} s`,
    ...r.images.map((i) => `  ${i.name}@${i.digest}`),
    `  blobs: ${r.blobsUploaded} copied (${formatBytes(r.bytesUploaded)}), ${r.blobsMounted} mounted, ${r.blobsSkipped} already there`,
    `  manifests: ${r.manifestsPushed} put`,
  ];
}
