/**
 * The workers' findings as problems for people: each names the blob, the
 * images that use it, and for a damaged xz Block the blobs it holds. A blob
 * given up because its Block is damaged is reported with that Block, not
 * again on its own. Pure.
 */
import type { VerifyProblem } from './verify-report.js';
import type { RangeFailure } from './verify-task.js';

export interface BlobPlace {
  readonly digest: string;
  readonly size: number;
  readonly dataOffset: number;
}

export function blobProblems(
  failures: readonly RangeFailure[],
  places: readonly BlobPlace[],
  users: ReadonlyMap<string, readonly string[]>,
): VerifyProblem[] {
  const usedBy = (digest: string): readonly string[] => users.get(digest) ?? [];
  const by = (digest: string): string => {
    const u = usedBy(digest);
    return u.length > 0 ? `used by ${u.join(', ')}` : 'used by no image';
  };
  const corrupt = new Set(
    failures.flatMap((f) => (f.kind === 'digest' || f.kind === 'header' ? [f.digest] : [])),
  );
  const out: VerifyProblem[] = [];
  for (const f of failures) {
    switch (f.kind) {
      case 'digest':
        out.push({
          check: 'blobs',
          code: 'E_DIGEST_MISMATCH',
          message: `blob ${f.digest} is corrupt: its bytes hash to ${f.actual} (${by(f.digest)})`,
          blob: f.digest,
          images: usedBy(f.digest),
        });
        break;
      case 'header':
        out.push({
          check: 'blobs',
          code: 'E_BUNDLE_INVALID',
          message: `bmpack.json places blob ${f.digest} at byte ${f.headerOffset} of the tar, but the archive has ${f.found} there (${by(f.digest)})`,
          blob: f.digest,
          images: usedBy(f.digest),
        });
        break;
      case 'incomplete':
        out.push({
          check: 'blobs',
          code: 'E_BUNDLE_INVALID',
          message: `blob ${f.digest} runs past the end of the file (truncated?) (${by(f.digest)})`,
          blob: f.digest,
          images: usedBy(f.digest),
        });
        break;
      case 'xz':
        out.push(xzProblem(f, places, usedBy, corrupt));
        break;
      case 'io':
        out.push({ check: 'blobs', code: 'E_IO', message: f.message });
        break;
      case 'damaged':
        break;
    }
  }
  return out;
}

/**
 * A damaged Block names the blobs in it that failed their own check — in a
 * Block of stored chunks, that is where the damage is — else every blob it
 * holds (a damaged LZMA Block hides which).
 */
function xzProblem(
  f: Extract<RangeFailure, { kind: 'xz' }>,
  places: readonly BlobPlace[],
  usedBy: (digest: string) => readonly string[],
  corrupt: ReadonlySet<string>,
): VerifyProblem {
  const held = places.filter((p) => p.dataOffset < f.end && p.dataOffset + p.size > f.start);
  const culprits = held.filter((p) => corrupt.has(p.digest));
  const named = culprits.length > 0 ? culprits : held;
  const images = [...new Set(named.flatMap((p) => usedBy(p.digest)))];
  const shown = named.slice(0, 3).map((p) => p.digest);
  const more = named.length > 3 ? ` and ${named.length - 3} more` : '';
  const users = `used by ${images.length > 0 ? images.join(', ') : 'no image'}`;
  const where =
    culprits.length > 0
      ? `the damage is in blob ${shown.join(', ')}${more} (${users})`
      : held.length > 0
        ? `it holds blob ${shown.join(', ')}${more} (${users})`
        : f.start === 0
          ? 'it holds the bundle’s metadata'
          : 'it holds no blob data';
  const first = named[0];
  return {
    check: 'xz',
    code: 'E_XZ_INVALID',
    message: `xz block at byte ${f.blockOffset} (tar bytes ${f.start}-${f.end}) is damaged: ${f.message}; ${where}`,
    blockOffset: f.blockOffset,
    ...(first !== undefined ? { blob: first.digest } : {}),
    images,
  };
}
