/**
 * Issue 17 asks that each step's seconds per GB at 1 GB and at 8 GB agree
 * within 10 %. The scale bench runs one size at a time, so each run keeps
 * its wall times in bench/scale-runs.json (committed with RESULTS.md), and
 * once both sizes are there the comparison is written as a section of its
 * own. Two sizes also give each step's fixed cost and its marginal rate
 * (a line through both points): the fixed part is what makes the smaller
 * size's seconds per GB higher.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const scaleRunsFile = join(fileURLToPath(new URL('.', import.meta.url)), 'scale-runs.json');

/** One scale run: its size and each step's wall seconds. */
export interface ScaleRun {
  readonly date: string;
  readonly gigabytes: number;
  readonly images: number;
  readonly walls: Readonly<Record<string, number>>;
}

export type ScaleRuns = Readonly<Record<string, ScaleRun>>;

/** The registries' floors, as scale.ts names them in a run's walls. */
export const servingFloorStep = 'floor: serving (distribution, every blob once)';
export const ingestFloorStep = 'floor: ingest (distribution, every blob once)';

/** Steps bound by a registry, and that registry's floor measured in the same run. */
const floorOf: Readonly<Record<string, string>> = {
  'bundle create': servingFloorStep,
  'serve: every blob once': servingFloorStep,
  'push images': ingestFloorStep,
};

/** Steps whose work does not grow with the bytes: compared, but not held to the 10 %. */
export const perImageSteps: ReadonlySet<string> = new Set([
  'bundle inspect',
  'push images (re-run)',
]);

/** Keeps `run` under `scale` ("1g", "8g") in the runs file and returns every run kept. */
export async function recordScaleRun(scale: string, run: ScaleRun): Promise<ScaleRuns> {
  const text = await readFile(scaleRunsFile, 'utf8').catch(() => '{}');
  const runs = { ...parseScaleRuns(text), [scale]: run };
  await writeFile(scaleRunsFile, `${JSON.stringify(runs, null, 2)}\n`);
  return runs;
}

/** The runs file's contents; an entry that is not a run is dropped (the next run of its size rewrites it). */
export function parseScaleRuns(text: string): Record<string, ScaleRun> {
  const data: unknown = JSON.parse(text);
  if (typeof data !== 'object' || data === null) return {};
  return Object.fromEntries(Object.entries(data).filter(([, run]) => isScaleRun(run)));
}

function isScaleRun(v: unknown): v is ScaleRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const walls = r['walls'];
  return (
    typeof r['date'] === 'string' &&
    typeof r['gigabytes'] === 'number' &&
    typeof r['images'] === 'number' &&
    typeof walls === 'object' &&
    walls !== null &&
    Object.values(walls).every((w) => typeof w === 'number')
  );
}

/** The comparison of the 1 GB and 8 GB runs as markdown; undefined until both exist. */
export function agreementSection(runs: ScaleRuns): string | undefined {
  const small = runs['1g'];
  const large = runs['8g'];
  if (small === undefined || large === undefined) return undefined;
  const rows = Object.keys(large.walls).flatMap((step) => {
    const a = small.walls[step];
    const b = large.walls[step];
    return a === undefined || b === undefined ? [] : [row(step, a, b, small, large)];
  });
  return [
    '## Scale: seconds per GB at 1 GB and at 8 GB (issue 17)',
    '',
    `Written by the scale bench from bench/scale-runs.json: the 1 GB run of ${small.date} (${small.images} images, ${small.gigabytes.toFixed(2)} GB) and the 8 GB run of ${large.date} (${large.images} images, ${large.gigabytes.toFixed(2)} GB). *Fixed* and *marginal* are the line through both points (wall = fixed + marginal × GB); the 1 GB figure is within 10 % of the 8 GB one only when the fixed part is under about a tenth of a GB's marginal time. The floors are the registries' own (every blob once, 8 connections), measured in the same runs.`,
    '',
    '| step | s/GB at 1 GB | s/GB at 8 GB | 1 GB / 8 GB | within 10 % | fixed s | marginal s/GB |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
    '',
    'The same steps as multiples of the floor of the registry that bounds them, each size against its own run:',
    '',
    '| step | floor | × floor at 1 GB | × floor at 8 GB | 1 GB / 8 GB |',
    '| --- | --- | ---: | ---: | ---: |',
    ...floorRows(small, large),
  ].join('\n');
}

function floorRows(small: ScaleRun, large: ScaleRun): string[] {
  return Object.entries(floorOf).flatMap(([step, floor]) => {
    const a = times(small, step, floor);
    const b = times(large, step, floor);
    return a === undefined || b === undefined
      ? []
      : [`| ${step} | ${floor} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} |`];
  });
}

/** A step's wall as a multiple of a floor's, in one run. */
function times(run: ScaleRun, step: string, floor: string): number | undefined {
  const wall = run.walls[step];
  const base = run.walls[floor];
  return wall === undefined || base === undefined ? undefined : wall / base;
}

function row(step: string, a: number, b: number, small: ScaleRun, large: ScaleRun): string {
  const perGbA = a / small.gigabytes;
  const perGbB = b / large.gigabytes;
  const ratio = perGbA / perGbB;
  const marginal = (b - a) / (large.gigabytes - small.gigabytes);
  const fixed = a - marginal * small.gigabytes;
  const verdict = perImageSteps.has(step)
    ? 'n/a: per image, not per GB'
    : Math.abs(ratio - 1) <= 0.1
      ? 'yes'
      : '**no**';
  return `| ${step} | ${perGbA.toFixed(2)} | ${perGbB.toFixed(2)} | ${ratio.toFixed(2)} | ${verdict} | ${fixed.toFixed(2)} | ${marginal.toFixed(2)} |`;
}
