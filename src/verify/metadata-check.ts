/**
 * bmpack.json against the rest of the bundle: the same images as
 * index.json (references, digests, media types, sizes), closure sizes and
 * totals that add up, and a blob list that is exactly the tar's blobs. When
 * blob offsets come from bmpack.json, the tar must also end right after the
 * last blob: nothing can hide behind it. Pure.
 */
import type { SourceImage } from '../bundle-reader/index.js';
import { type BundleMetadata, tarBlockSize, tarPadding } from '../bundle-format/index.js';
import type { ImageClosure } from './closure-check.js';
import type { VerifyProblem } from './verify-report.js';

export interface StoredBlob {
  readonly size: number;
  readonly dataOffset: number;
  /** Set when the offset was computed from bmpack.json (bmpack's own layout). */
  readonly headerPath?: string;
}

export interface MetadataInput {
  readonly metadata: BundleMetadata;
  /** index.json's images. */
  readonly images: readonly SourceImage[];
  readonly stored: ReadonlyMap<string, StoredBlob>;
  readonly tarSize: number;
  readonly closures: readonly ImageClosure[];
}

const problem = (message: string, blob?: string, images?: string[]): VerifyProblem => ({
  check: 'metadata',
  code: 'E_BUNDLE_INVALID',
  message: `bmpack.json: ${message}`,
  ...(blob !== undefined ? { blob } : {}),
  ...(images !== undefined ? { images } : {}),
});

export function checkMetadata(input: MetadataInput): VerifyProblem[] {
  return [...imageProblems(input), ...blobListProblems(input), ...totalProblems(input)];
}

function imageProblems({ metadata, images, stored, closures }: MetadataInput): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  if (images.length !== metadata.images.length) {
    out.push(problem(`lists ${metadata.images.length} images, index.json ${images.length}`));
  }
  metadata.images.forEach((m, i) => {
    const d = images[i]?.descriptor;
    const say = (what: string): void => {
      out.push(problem(`image ${m.ref}: ${what}`, m.digest, [m.ref]));
    };
    if (d === undefined) return;
    if (images[i]?.name !== m.ref || d.digest !== m.digest)
      say(`index.json has ${images[i]?.name ?? ''} ${d.digest} in its place`);
    if (d.mediaType !== m.mediaType) say(`media type ${m.mediaType}, index.json ${d.mediaType}`);
    if (d.size !== m.size) say(`size ${m.size}, index.json ${d.size}`);
    const held = stored.get(m.digest)?.size;
    if (held !== undefined && held !== m.size)
      say(`size ${m.size}, the bundle holds ${held} bytes`);
    const closure = closures[i];
    const bytes = closure?.items.reduce((s, item) => s + item.size, 0);
    if (closure?.whole === true && bytes !== m.bytes)
      say(`closure of ${m.bytes} bytes, its manifests add up to ${bytes ?? 0}`);
  });
  return out;
}

function blobListProblems({ metadata, stored, tarSize }: MetadataInput): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const listed = new Map(metadata.blobs.map((b) => [b.digest, b]));
  for (const b of metadata.blobs) {
    const s = stored.get(b.digest);
    if (s === undefined)
      out.push(problem(`lists blob ${b.digest}, which the tar does not hold`, b.digest));
    else if (s.size !== b.size)
      out.push(
        problem(`lists blob ${b.digest} as ${b.size} bytes, the tar holds ${s.size}`, b.digest),
      );
  }
  for (const digest of stored.keys())
    if (!listed.has(digest))
      out.push(problem(`does not list blob ${digest}, which the tar holds`, digest));
  const computed = [...stored.values()].every((s) => s.headerPath !== undefined);
  if (computed && stored.size > 0) {
    const end = Math.max(
      ...[...stored.values()].map((s) => s.dataOffset + s.size + tarPadding(s.size)),
    );
    if (tarSize !== end + 2 * tarBlockSize) {
      out.push(
        problem(
          `the last blob ends at byte ${end} of the tar, which then should end at ${end + 2 * tarBlockSize}, but it holds ${tarSize} bytes`,
        ),
      );
    }
  }
  return out;
}

function totalProblems({ metadata, stored, closures }: MetadataInput): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const t = metadata.totals;
  const bytes = metadata.blobs.reduce((s, b) => s + b.size, 0);
  if (t.images !== metadata.images.length)
    out.push(problem(`totals.images is ${t.images}, images lists ${metadata.images.length}`));
  if (t.blobs !== metadata.blobs.length)
    out.push(problem(`totals.blobs is ${t.blobs}, blobs lists ${metadata.blobs.length}`));
  if (t.bytes !== bytes)
    out.push(problem(`totals.bytes is ${t.bytes}, the blobs add up to ${bytes}`));
  if (closures.every((c) => c.whole)) {
    // Dedupe counts what the bundle holds: for a delta, not what its base brings.
    let perImage = 0;
    for (const c of closures)
      for (const item of c.items) if (stored.has(item.digest)) perImage += item.size;
    if (t.dedupedBytes !== perImage - bytes)
      out.push(
        problem(
          `totals.dedupedBytes is ${t.dedupedBytes}, the images' closures give ${perImage - bytes}`,
        ),
      );
  }
  return out;
}
