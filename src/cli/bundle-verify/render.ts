/** `bundle verify` for people: one line per check, then what the base must supply and the problems. */
import { formatBytes } from '../format-bytes.js';
import type { VerifyReport } from '../../verify/verify-report.js';

export function renderVerify(r: VerifyReport): string[] {
  const what =
    r.name !== null ? `bmpack bundle ${r.name} ${r.version ?? ''}` : (r.kind ?? 'not a bundle');
  const lines = [`${r.ok ? 'verified' : 'FAILED'} ${r.file} (${what})`];
  if (r.kind !== null) lines.push(...checkLines(r));
  if (r.fromBase.length > 0) {
    const bytes = r.fromBase.reduce((s, b) => s + b.size, 0);
    const base =
      r.base !== undefined
        ? `${r.base.name} ${r.base.version} (sha256 ${r.base.sha256})`
        : 'its base';
    lines.push(
      `  must come from the base ${base}: ${r.fromBase.length} blobs, ${formatBytes(bytes)}`,
    );
    for (const b of r.fromBase)
      lines.push(`      ${b.digest} ${formatBytes(b.size)} (used by ${b.images.join(', ')})`);
  }
  for (const p of r.problems) lines.push(`  problem [${p.code}] ${p.message}`);
  return lines;
}

function checkLines(r: VerifyReport): string[] {
  const bad = (check: string): boolean => r.problems.some((p) => p.check === check);
  const mark = (check: string): string => (bad(check) ? 'FAIL' : 'ok  ');
  const rate = `${formatBytes(r.bytesPerSecond)}/s`;
  return [
    r.xz !== null
      ? `  ${mark('xz')} xz: ${r.xz.verified} of ${r.xz.blocks} blocks pass their checks`
      : '  --   xz: a plain tar, no xz checks',
    `  ${mark('blobs')} blobs: ${r.blobs.verified} of ${r.blobs.total} match their digests (${formatBytes(r.blobs.bytes)})`,
    `  ${mark('closure')} closures: ${r.images} images${r.fromBase.length > 0 ? ', whole with the base' : ', whole'}`,
    r.name !== null
      ? `  ${mark('metadata')} metadata: bmpack.json ${bad('metadata') ? 'disagrees' : 'agrees'} with index.json and the tar`
      : '  --   metadata: no bmpack.json',
    r.sidecar !== null
      ? `  ${mark('sidecar')} sidecar: ${r.sidecar.path} ${r.sidecar.status === 'match' ? 'matches' : r.sidecar.status}`
      : '  --   sidecar: none',
    `  ${r.workers} ${r.workers === 1 ? 'worker' : 'workers'}, ${r.seconds} s, ${rate}`,
  ];
}
