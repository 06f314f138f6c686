/** The whole of `bmpack push images` behind its command: flags in, result and lines out. */
import type { ProgressListener } from '../events.js';
import { parsePrivateRegistry } from '../push/private-registry.js';
import { pushImages, type PushImagesResult } from '../push/push-images.js';
import { engineFlags } from './engine-flags.js';
import { formatBytes } from './format-bytes.js';
import { hostOptionsFromFlags } from './client-options.js';
import { terminalPushCredentials, type PushCredentialOptions } from './push-credentials.js';

export interface PushImagesFlags extends PushCredentialOptions {
  readonly source: string;
  readonly 'private-registry': string;
  readonly concurrency: number;
  readonly 'dry-run': boolean;
}

export async function runPushImages(
  flags: PushImagesFlags,
  signal: AbortSignal,
  onEvent: ProgressListener,
  warn: (message: string) => void,
): Promise<PushImagesResult> {
  const { registry } = parsePrivateRegistry(flags['private-registry']);
  const creds = await terminalPushCredentials(registry, flags);
  for (const w of creds.warnings) warn(w);
  const result = await pushImages({
    source: flags.source,
    privateRegistry: flags['private-registry'],
    host: hostOptionsFromFlags(flags),
    ...(creds.credentials ? { credentials: creds.credentials } : {}),
    ...engineFlags(flags, onEvent),
    signal,
  });
  for (const w of result.warnings) warn(w);
  return result;
}

export function renderPushResult(r: PushImagesResult): string[] {
  if (r.plan !== undefined) {
    const p = r.plan;
    return [
      `dry run: ${r.images} images; nothing was written`,
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
