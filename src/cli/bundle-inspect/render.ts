/** `bundle inspect` for people: a header, the totals, one line per image. */
import { formatBytes } from '../format-bytes.js';
import type { BundleInspection } from '../../inspect/inspect-bundle.js';

export function renderInspection(r: BundleInspection): string[] {
  const what =
    r.name !== null
      ? `bmpack bundle ${r.name} ${r.version ?? ''} (${r.format}, written by ${r.tool?.name ?? '?'} ${r.tool?.version ?? '?'})`
      : `${r.kind === 'docker-archive' ? 'docker save archive' : 'OCI image layout'} (not written by bmpack)`;
  const lines = [`${r.file}: ${what}`];
  if (r.created !== undefined) lines.push(`  created ${r.created}`);
  if (r.base !== undefined) {
    lines.push(
      `  delta of ${r.base.name} ${r.base.version} (sha256 ${r.base.sha256}): push that bundle first`,
    );
  }
  lines.push(
    `  ${r.images.length} images, ${r.blobs} blobs, ${formatBytes(r.bytes)} (dedupe saved ${formatBytes(r.dedupedBytes)})`,
  );
  for (const i of r.images) {
    const platforms = i.platforms.length > 0 ? i.platforms.join(', ') : 'platform unknown';
    lines.push(`  ${i.ref}`, `      ${i.digest}  ${platforms}  ${formatBytes(i.size)}`);
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}
