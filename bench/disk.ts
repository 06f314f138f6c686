/**
 * Disk used under a directory, as `du` counts it (allocated blocks, not
 * apparent sizes), with some subtrees left out; and a sampler that follows it
 * while a command runs, so that temporary files deleted before the command
 * exits are seen too.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

function isGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Bytes allocated to the files under `root` (st_blocks × 512, symlinks not
 * followed), except under the paths in `exclude`. Files that vanish while
 * it walks are skipped.
 */
export async function diskBytes(root: string, exclude: ReadonlySet<string>): Promise<number> {
  if (exclude.has(root)) return 0;
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if (isGone(err)) return 0;
    throw err;
  }
  let total = 0;
  for (const e of entries) {
    const path = join(root, e.name);
    if (exclude.has(path)) continue;
    if (e.isDirectory()) {
      total += await diskBytes(path, exclude);
      continue;
    }
    try {
      total += (await lstat(path)).blocks * 512;
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  }
  return total;
}

/** What a {@link DiskSampler} saw. */
export interface DiskUse {
  /** Bytes when sampling started. */
  readonly before: number;
  /** The most seen at any sample (the first and last included). */
  readonly peak: number;
  /** Bytes when sampling stopped. */
  readonly after: number;
  readonly samples: number;
}

/** Extra bytes over the start: the peak, or what was left at the end if more. */
export function extraBytes(d: DiskUse): number {
  return Math.max(0, Math.max(d.peak, d.after) - d.before);
}

export interface DiskSampler {
  /** Takes a last sample and returns the figures. */
  stop(): Promise<DiskUse>;
}

/**
 * Measures `root` (without `exclude`) now and then every `intervalMs` until
 * stopped. A sample still walking when the next is due is not overlapped.
 */
export async function sampleDisk(
  root: string,
  exclude: ReadonlySet<string>,
  intervalMs = 250,
): Promise<DiskSampler> {
  const before = await diskBytes(root, exclude);
  let peak = before;
  let samples = 1;
  let walking: Promise<void> | undefined;
  let failure: Error | undefined;
  const sample = (): Promise<void> =>
    diskBytes(root, exclude).then(
      (n) => {
        peak = Math.max(peak, n);
        samples++;
      },
      (err: unknown) => {
        failure ??= err instanceof Error ? err : new Error('disk sampling failed', { cause: err });
      },
    );
  const timer = setInterval(() => {
    if (walking !== undefined) return;
    walking = sample().finally(() => {
      walking = undefined;
    });
  }, intervalMs);
  return {
    async stop(): Promise<DiskUse> {
      clearInterval(timer);
      await walking;
      const after = await diskBytes(root, exclude);
      if (failure !== undefined) throw failure;
      return { before, peak: Math.max(peak, after), after, samples: samples + 1 };
    },
  };
}
