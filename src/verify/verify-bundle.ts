/**
 * `bmpack bundle verify`: everything that can be checked without a network,
 * on the disconnected side where nothing can be fetched again — every xz
 * Block's Check (by decoding every Block), every blob re-hashed against its
 * name and size, every image's closure present (or, for a delta, listed as
 * what the base must supply), bmpack.json against index.json and the tar,
 * and the `.sha256` sidecar against the file. The reading and hashing, which
 * is nearly all of the time, is spread over worker threads (worker-pool.ts).
 */
import { dirname, join } from 'node:path';
import { secondsSince } from '../seconds-since.js';
import { availableParallelism } from 'node:os';
import { internalError, openBundleSource, TarBundleSource } from '../bundle-reader/index.js';
import { openBundleFile } from '../fs/bundle-file.js';
import { readSidecar, type Sidecar } from '../bundle-writer/checksum-sidecar.js';
import { fileSha256 } from '../content/file-sha256.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { ioError } from '../fs/atomic-file.js';
import { readXzIndex, type XzIndex } from '../xz/index.js';
import { blobProblems } from './blob-problems.js';
import { checkClosures } from './closure-check.js';
import { checkMetadata } from './metadata-check.js';
import { planVerifyTasks, rangeEntries } from './task-plan.js';
import { taskSize, type RangeEntry, type TaskOutcome, type VerifyTask } from './verify-task.js';
import { checkSidecar, sidecarProblem } from './sidecar-check.js';
import {
  unopenedReport,
  VerifyError,
  type SidecarCheck,
  type VerifyProblem,
  type VerifyReport,
} from './verify-report.js';
import type { ClosureFindings } from './closure-check.js';
import { runTasks, workersFor, type WorkerTransport } from './worker-pool.js';

export interface VerifyBundleOptions {
  readonly path: string;
  /** Parallel workers; 1 verifies in this thread. */
  readonly workers?: number;
  readonly transport?: WorkerTransport;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

export const defaultVerifyWorkers = Math.max(1, Math.min(availableParallelism(), 8));

/**
 * The report when the bundle is sound.
 *
 * @throws VerifyError (carrying the report) naming every problem found,
 *   each with its blob and the images that use it; E_IO when the file
 *   cannot be read.
 */
export async function verifyBundle(o: VerifyBundleOptions): Promise<VerifyReport> {
  const started = performance.now();
  const workers = o.workers ?? defaultVerifyWorkers;
  let source;
  try {
    source = await openBundleSource(o.path);
  } catch (err) {
    if (!(err instanceof BmpackError) || err.code === 'E_IO') throw err;
    throw new VerifyError(unopenedReport(o.path, err, workers, secondsSince(started)));
  }
  try {
    if (!(source instanceof TarBundleSource)) {
      throw internalError(o.path, 'bundle verify reads tar sources only');
    }
    const report = await verifySource(source, o, workers, started);
    if (!report.ok) throw new VerifyError(report);
    return report;
  } finally {
    await source.close();
  }
}

/** What the workers need, what they found, and what the rest of the checks make of it. */
interface Findings {
  readonly index: XzIndex | undefined;
  readonly tarSize: number;
  readonly entries: readonly RangeEntry[];
  readonly tasks: readonly VerifyTask[];
  readonly outcomes: readonly TaskOutcome[];
  readonly closures: ClosureFindings;
  readonly sidecar: SidecarCheck | null;
}

async function verifySource(
  source: TarBundleSource,
  o: VerifyBundleOptions,
  workers: number,
  started: number,
): Promise<VerifyReport> {
  const index = source.container === 'xz' ? await readXzIndex(source.path) : undefined;
  const tarSize = index?.uncompressedSize ?? (await fileSize(source.path));
  const sidecar = await readSidecar(source.path);
  const entries = rangeEntries(source.blobLocations(), source.metadata);
  const tasks = planVerifyTasks({
    file: source.path,
    tarSize,
    ...(index !== undefined ? { index } : {}),
    entries,
    hashFile: sidecar?.sha256 !== undefined,
    workers,
  });
  const outcomes = await run(tasks, o, workers);
  const closures = await checkClosures(source, verifiedDocuments(outcomes));
  const sidecarCheck = await withDamagedParts(
    checkSidecar(sidecar, outcomes.find((x) => x.id === 0)?.sha256),
    sidecar,
    source.path,
  );
  const f = { index, tarSize, entries, tasks, outcomes, closures, sidecar: sidecarCheck };
  return report(source, f, problems(source, f), workersFor(tasks, workers), started);
}

function problems(source: TarBundleSource, f: Findings): VerifyProblem[] {
  const metadata = source.metadata;
  return [
    ...blobProblems(
      f.outcomes.flatMap((x) => x.failures),
      f.entries,
      f.closures.users,
    ),
    ...f.closures.problems,
    ...(metadata !== undefined
      ? checkMetadata({
          metadata,
          images: source.images,
          stored: source.blobLocations(),
          tarSize: f.tarSize,
          closures: f.closures.images,
        })
      : []),
    ...(f.sidecar !== null && f.sidecar.status !== 'match' ? [sidecarProblem(f.sidecar)] : []),
  ];
}

function report(
  source: TarBundleSource,
  f: Findings,
  found: readonly VerifyProblem[],
  workers: number,
  started: number,
): VerifyReport {
  const seconds = secondsSince(started);
  const read = f.tasks.reduce((s, t) => s + taskSize(t), 0);
  const m = source.metadata;
  return {
    file: source.path,
    ok: found.length === 0,
    kind: source.kind,
    name: m?.name ?? null,
    version: m?.version ?? null,
    ...(m?.base !== undefined ? { base: m.base } : {}),
    images: source.images.length,
    blobs: {
      total: f.entries.length,
      verified: f.outcomes.reduce((s, x) => s + x.matched, 0),
      bytes: f.entries.reduce((s, e) => s + e.size, 0),
    },
    xz:
      f.index !== undefined
        ? {
            blocks: f.index.blocks.filter((b) => b.uncompressedSize > 0).length,
            verified: f.outcomes.reduce((s, x) => s + x.blocks, 0),
          }
        : null,
    sidecar: f.sidecar,
    fromBase: f.closures.fromBase,
    problems: found,
    workers,
    seconds,
    bytesPerSecond: Math.round(read / Math.max(seconds, 0.01)),
  };
}

async function run(
  tasks: readonly VerifyTask[],
  o: VerifyBundleOptions,
  workers: number,
): Promise<TaskOutcome[]> {
  o.onEvent?.({ type: 'phase', phase: 'verify', detail: o.path });
  const total = tasks.reduce((s, t) => s + taskSize(t), 0);
  const whole = tasks.some((t) => t.kind === 'file');
  o.onEvent?.({
    type: 'bytes-total',
    phase: 'verify',
    total,
    ...(whole ? { detail: 'the sha256 of the whole file, then every entry in it' } : {}),
  });
  return runTasks(tasks, {
    workers,
    ...(o.transport !== undefined ? { transport: o.transport } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
    onBytes: (n) => o.onEvent?.({ type: 'bytes', phase: 'verify', n }),
  });
}

/**
 * A bundle in parts whose whole does not match its sidecar: hash each part
 * against its own line, to name the part to copy again. Only then: a
 * bundle that matches is not read a third time.
 */
async function withDamagedParts(
  check: SidecarCheck | null,
  sidecar: Sidecar | undefined,
  bundle: string,
): Promise<SidecarCheck | null> {
  if (check?.status !== 'mismatch' || sidecar?.parts === undefined) return check;
  const damaged: string[] = [];
  for (const p of sidecar.parts) {
    const path = join(dirname(bundle), p.name);
    const actual = await fileSha256(path, undefined, true).catch(() => undefined);
    if (actual !== p.sha256) damaged.push(p.name);
  }
  return { ...check, damagedParts: damaged };
}

/** Manifests and indexes whose bytes the workers found to match their digests. */
function verifiedDocuments(outcomes: readonly TaskOutcome[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const x of outcomes)
    for (const d of x.documents ?? [])
      out.set(d.digest, Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.length));
  return out;
}

/** The size of the bundle (of all its parts together). */
async function fileSize(path: string): Promise<number> {
  let f;
  try {
    f = await openBundleFile(path);
  } catch (err) {
    throw ioError(err, path, 'open');
  }
  try {
    return (await f.stat()).size;
  } finally {
    await f.close();
  }
}
