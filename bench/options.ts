/**
 * The benchmark's options, shared by the supervisor (run.ts) and the worker
 * (worker.ts), which gets them as JSON in an environment variable. No rig
 * imports here: the supervisor must not install the rig's signal handlers.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root (bench/..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Git-ignored home of all work files. */
export const workRoot = join(repoRoot, '.bench-work');
/** Environment variable carrying the options (JSON) to the worker. */
export const optionsEnv = 'BMPACK_BENCH_OPTIONS';

export interface BenchOptions {
  /** Workload scale of the main measurement (1 ≈ 485 MB of unique blobs). */
  readonly scale: number;
  /** A second, smaller scale at which bmpack alone runs, to show RSS is flat. */
  readonly smallScale: number;
  readonly seed: number;
  /** Also time `tar | xz -T0 -6` (slow: LZMA at level 6 over incompressible data). */
  readonly xz6: boolean;
  /** Run the repository's own dist/ (after `npm run build`) instead of a private build. */
  readonly useDist: boolean;
  /** One more, untimed, cold bmpack run under --cpu-prof (kept under .bench-work/profiles/). */
  readonly cpuProf: boolean;
  /** Keep the run directory (registry storage, outputs) instead of removing it. */
  readonly keep: boolean;
  /** Cold bmpack runs at the main scale; the median counts (default 3). */
  readonly repeat: number;
  /** bmpack --concurrency (default: bmpack's own). */
  readonly concurrency?: number;
  /** Also run the `bmpack push images` benchmark after the bundle create one. */
  readonly push: boolean;
  /** Rounds of the push benchmark, each against two fresh registries; medians count. */
  readonly pushRepeat: number;
  /**
   * A git revision to compare with: built too, and timed in the same rounds
   * (bundle create cold, push images and its re-run).
   */
  readonly baseline?: string;
  /** Set by the supervisor: the run's work directory. */
  readonly runDir: string;
  /** Set by the supervisor: the command-line arguments, for the report. */
  readonly args: readonly string[];
}

export const usage = `Usage: node --import tsx bench/run.ts [options]

Seeds a local registry with the benchmark release (bench/workload.ts), then times
bmpack bundle create against skopeo copy --all + tar | xz, then bmpack push images
(the bundle into a fresh registry) against tar -xJf + skopeo copy --all, and writes
bench/RESULTS.md.

  --scale N          workload scale (default: $BENCH_SCALE or 1; 1 ≈ 485 MB of unique blobs)
  --scale 1g | 8g    the scale bench instead (scale.ts): 400 images, ~2,000 blobs of that size;
                     create, verify, inspect, push, re-push, merge against the registries' floors
  --small-scale N    second scale for the flat-RSS check (default: scale / 4)
  --seed N           workload seed (default 1)
  --repeat N         cold bmpack runs at the main scale; the median counts (default 3)
  --no-xz6           skip the slow tar | xz -T0 -6 pipeline
  --concurrency N    bmpack bundle create --concurrency (default: bmpack's own)
  --push-repeat N    rounds of the push benchmark, each against two fresh registries; the
                     medians count (default 5)
  --no-push          skip the push benchmark
  --baseline REV     also build git revision REV (e.g. 9b11d1d) and time its bundle create
                     (cold, --repeat runs) and push images (and re-run, --push-repeat rounds)
                     in turn with the current build's; report current ≤ 1.05 × baseline
  --use-dist         run the repository's dist/ (npm run build first) instead of a private build
  --cpu-prof         one more cold bmpack bundle create, and one more bmpack push images and its
                     re-run (into a third registry), under node --cpu-prof (not timed); the
                     profiles are kept in .bench-work/profiles/ and summarised by phase
  --keep             keep the run directory under .bench-work/
  -h, --help         this text
`;

function positiveNumber(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${what} must be a positive number, not ${text}`);
  return n;
}

/** Parses the command line; `undefined` means --help was asked for. */
export function parseBenchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Omit<BenchOptions, 'runDir' | 'args'> | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      scale: { type: 'string' },
      'small-scale': { type: 'string' },
      seed: { type: 'string' },
      repeat: { type: 'string' },
      'no-xz6': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'push-repeat': { type: 'string' },
      'no-push': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'use-dist': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const scale = positiveNumber(values.scale ?? env['BENCH_SCALE'], '--scale / BENCH_SCALE', 1);
  const smallScale = positiveNumber(values['small-scale'], '--small-scale', scale / 4);
  const seed = positiveNumber(values.seed, '--seed', 1);
  const repeat = Math.max(1, Math.floor(positiveNumber(values.repeat, '--repeat', 3)));
  const pushRepeat = Math.max(
    1,
    Math.floor(positiveNumber(values['push-repeat'], '--push-repeat', 5)),
  );
  const concurrency =
    values.concurrency === undefined
      ? undefined
      : positiveNumber(values.concurrency, '--concurrency', 8);
  if (values.baseline === '') throw new Error('--baseline needs a git revision');
  return {
    scale,
    smallScale,
    seed: Math.floor(seed),
    repeat,
    xz6: !values['no-xz6'],
    useDist: values['use-dist'],
    cpuProf: values['cpu-prof'],
    keep: values.keep,
    push: !values['no-push'],
    pushRepeat,
    ...(concurrency !== undefined ? { concurrency: Math.floor(concurrency) } : {}),
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
  };
}
