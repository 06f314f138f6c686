/** `push images` for people: what was pushed, or with --dry-run what would be. */
import type { PushImagesResult } from '../../push/push-images.js';
import { formatBytes } from '../format-bytes.js';

export function renderPushResult(r: PushImagesResult): string[] {
  if (r.plan !== undefined) {
    const p = r.plan;
    return [
      `dry run: ${r.images} images; nothing was written`,
      ...r.mapping.map((m) => `  image  ${m.source} -> ${m.target}`),
      ...p.uploads.map((u) => `  upload ${u.repo}@${u.digest} (${formatBytes(u.size)})`),
      ...p.mounts.map((m) => `  mount  ${m.repo}@${m.digest} from ${m.from}`),
      `  skip   ${p.skipped} blobs already there`,
      `  ${p.manifests} manifests to put; tags: ${p.tags.filter((t) => !t.skip).length} to set, ${p.tags.filter((t) => t.skip).length} already set`,
      `  ${formatBytes(p.bytesToUpload)} to upload`,
    ];
  }
  return [
    `pushed ${r.images} images in ${r.seconds} s`,
    `  blobs: ${r.blobsUploaded} uploaded (${formatBytes(r.bytesUploaded)}), ${r.blobsMounted} mounted, ${r.blobsSkipped} already there`,
    `  manifests: ${r.manifestsPushed} put`,
  ];
}
