/** `mirror check` for people: each image at the mirror, then the configuration's hosts. */
import type { MirrorCheckReport, MirrorImageCheck } from '../../mirror/index.js';

/** What the mirror got wrong about an image, when it did. */
function extraOf(i: MirrorImageCheck): string {
  if (i.status === 'digest-differs') return ` (mirror ${i.actual ?? ''}, bundle ${i.expected})`;
  if (i.status !== 'incomplete') return '';
  const missing = i.missing ?? [];
  return ` (${missing.length} missing, first ${missing[0] ?? ''})`;
}

export function renderMirrorCheck(r: MirrorCheckReport): string[] {
  const lines: string[] = [];
  if (r.images.length > 0) {
    lines.push(`mirror ${r.mirror}`);
    for (const i of r.images) {
      lines.push(`  ${i.status.padEnd(14)} ${i.ref} -> ${i.target}${extraOf(i)}`);
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
    if (c.images.length > 0) lines.push('  what a node does per image:');
    for (const i of c.images) {
      lines.push(`  ${i.status.padEnd(13)} ${i.ref}`);
      lines.push(`      asks ${i.asks ?? '(not the mirror)'}`);
      if (i.tls !== undefined) lines.push(`      tls ${i.tls}`);
      if (i.fallback !== undefined) lines.push(`      then ${i.fallback}`);
    }
  }
  return lines;
}
