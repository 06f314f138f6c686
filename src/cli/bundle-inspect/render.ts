/** `bundle inspect` for people: a header, the totals, one line per image. */
import { formatBytes } from '../format-bytes.js';
import type { BundleInspection, InspectedReferrer } from '../../inspect/inspect-bundle.js';

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
    for (const r of i.referrers) lines.push(`      ${referrerLine(r, i.digest)}`);
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

const kindWords = {
  signature: 'signature',
  attestation: 'attestation',
  sbom: 'SBOM',
  referrers: 'referrer',
} as const;

/** `signature sha256:… (cosign tag)`, `attestation … https://slsa.dev/provenance/v0.2`, about which digest. */
function referrerLine(r: InspectedReferrer, image: string): string {
  const what = [
    kindWords[r.kind],
    r.digest,
    ...(r.predicateTypes ?? []),
    ...(r.artifactType !== undefined && r.kind !== 'attestation' ? [r.artifactType] : []),
    r.via === 'tag' ? '(cosign tag)' : '(by subject)',
  ];
  if (r.subject !== image) what.push(`of ${r.subject}`);
  return what.join('  ');
}
