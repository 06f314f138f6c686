/**
 * Cutting a bundle's tar into tasks for the verify workers. A cut may
 * fall only where nothing straddles it: at an xz Block boundary (every
 * Block is then decoded, and its Check verified, by exactly one task) that
 * is not inside a blob (sha256 cannot be split between workers), or, in a
 * plain tar, before a blob's header. Tasks are about `target` bytes, so
 * that several per worker balance the load; one blob larger than that is
 * one task. Pure.
 */
import type { BlobLocation } from '../bundle-reader/index.js';
import { type BundleMetadata, tarBlockSize } from '../bundle-format/index.js';
import type { XzBlockInfo, XzIndex } from '../xz/index.js';
import { taskSize, type RangeEntry, type RangeTask, type VerifyTask } from './verify-task.js';

/** Tasks per worker: enough for the load to even out, few enough to cost nothing. */
const tasksPerWorker = 8;
const minTask = 8 * 1024 * 1024;
const maxTask = 256 * 1024 * 1024;

export interface VerifyPlanInput {
  readonly file: string;
  readonly tarSize: number;
  readonly index?: XzIndex;
  readonly entries: readonly RangeEntry[];
  /** Hash the whole file too, for its `.sha256` sidecar. */
  readonly hashFile: boolean;
  readonly workers: number;
}

/** All the work: the file's hash (task 0) and the tar's stretches, largest first. */
export function planVerifyTasks(input: VerifyPlanInput): VerifyTask[] {
  const { file, tarSize, index } = input;
  const target = Math.min(
    maxTask,
    Math.max(minTask, Math.ceil(tarSize / (input.workers * tasksPerWorker))),
  );
  return [
    ...(input.hashFile
      ? [{ kind: 'file' as const, id: 0, file, size: index?.fileSize ?? tarSize }]
      : []),
    ...planRangeTasks({
      file,
      tarSize,
      ...(index !== undefined ? { blocks: index.blocks } : {}),
      entries: input.entries,
      target,
      firstId: 1,
    }),
  ].sort((a, b) => taskSize(b) - taskSize(a));
}

/**
 * What to check of each blob the source located: its bytes, the header
 * before them when the offset came from bmpack.json, and for bmpack's
 * manifests and indexes, the bytes themselves back for the closure check.
 */
export function rangeEntries(
  stored: ReadonlyMap<string, BlobLocation>,
  metadata: BundleMetadata | undefined,
): RangeEntry[] {
  const documents = new Set(
    (metadata?.blobs ?? [])
      .filter((b) => b.kind === 'index' || b.kind === 'manifest')
      .map((b) => b.digest),
  );
  return [...stored].map(([digest, s]) => ({
    digest,
    size: s.size,
    dataOffset: s.dataOffset,
    ...(s.headerPath !== undefined ? { headerPath: s.headerPath } : {}),
    ...(documents.has(digest) ? { keep: true } : {}),
  }));
}

export interface RangePlanInput {
  readonly file: string;
  readonly tarSize: number;
  /** The xz Blocks of a .tar.xz; absent for a plain tar. */
  readonly blocks?: readonly XzBlockInfo[];
  readonly entries: readonly RangeEntry[];
  /** Rough bytes per task. */
  readonly target: number;
  /** Id of the first task; the next ones follow. */
  readonly firstId: number;
}

const startOf = (e: RangeEntry): number =>
  e.headerPath !== undefined ? e.dataOffset - tarBlockSize : e.dataOffset;

export function planRangeTasks(input: RangePlanInput): RangeTask[] {
  const entries = [...input.entries].sort((a, b) => a.dataOffset - b.dataOffset);
  const bounds = [0, ...cuts(input, entries), input.tarSize];
  const tasks: RangeTask[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i] ?? 0;
    const end = bounds[i + 1] ?? input.tarSize;
    const inside = (at: number): boolean => at >= start && at < end;
    tasks.push({
      kind: 'range',
      id: input.firstId + i,
      file: input.file,
      start,
      end,
      ...(input.blocks !== undefined
        ? {
            blocks: input.blocks.filter(
              (b) => b.uncompressedSize > 0 && inside(b.uncompressedOffset),
            ),
          }
        : {}),
      entries: entries.filter((e) => inside(startOf(e))),
    });
  }
  return tasks;
}

/** Where tasks may end, at least `target` bytes apart, ascending. */
function cuts(input: RangePlanInput, entries: readonly RangeEntry[]): number[] {
  const candidates =
    input.blocks !== undefined
      ? input.blocks.map((b) => b.uncompressedOffset)
      : entries.map(startOf);
  const out: number[] = [];
  let last = 0;
  let j = 0;
  for (const c of [...new Set(candidates)].sort((a, b) => a - b)) {
    if (c <= 0 || c >= input.tarSize) continue;
    while (j < entries.length && (entries[j]?.dataOffset ?? 0) + (entries[j]?.size ?? 0) <= c) j++;
    const e = entries[j];
    const straddled = e !== undefined && startOf(e) < c;
    if (!straddled && c - last >= input.target) {
      out.push(c);
      last = c;
    }
  }
  return out;
}
