/** `mirror check` for people: each image at the mirror, then the configuration's hosts. */
import type { MirrorCheckReport } from '../../mirror/index.js';

export function renderMirrorCheck(r: MirrorCheckReport): string[] {
  const lines: string[] = [];
  if (r.images.length > 0) {
    lines.push(`mirror ${r.mirror}`);
    for (const i of r.images) {
      const extra =
        i.status === 'digest-differs' ? ` (mirror ${i.actual ?? ''}, bundle ${i.expected})` : '';
      lines.push(`  ${i.status.padEnd(14)} ${i.ref} -> ${i.target}${extra}`);
    }
    const served = r.images.filter((i) => i.status === 'present').length;
    lines.push(`  ${served} of ${r.images.length} images served`);
  }
  if (r.config !== undefined) {
    const c = r.config;
    lines.push(`config ${c.path} (${c.kind})${c.ok ? ': ok' : ''}`);
    for (const p of c.problems) lines.push(`  problem: ${p}`);
    for (const n of c.notes) lines.push(`  note: ${n}`);
    for (const h of c.hosts) {
      lines.push(
        `  ${h.status.padEnd(13)} ${h.host}${h.endpoint !== undefined ? ` -> ${h.endpoint}` : ''}`,
      );
      for (const p of h.problems) lines.push(`      problem: ${p}`);
      for (const n of h.notes) lines.push(`      note: ${n}`);
    }
  }
  return lines;
}
