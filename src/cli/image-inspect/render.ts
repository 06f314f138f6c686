/** `image inspect` for people: the reference, its digest and type, then platforms or layers. */
import type { ImageInspection } from '../../image/inspect-image.js';

export function renderImageInspection(inspection: ImageInspection): string[] {
  const lines = [
    inspection.reference,
    `  digest     ${inspection.digest}`,
    `  mediaType  ${inspection.mediaType}`,
    ...(inspection.index !== undefined ? [`  index      ${inspection.index}`] : []),
  ];
  if (inspection.manifests.length > 0) {
    for (const m of inspection.manifests)
      lines.push(`  ${(m.platform ?? 'unknown').padEnd(16)} ${m.digest}`);
  } else {
    lines.push(`  layers     ${inspection.layers} (${inspection.layersSize} bytes)`);
  }
  return lines;
}
