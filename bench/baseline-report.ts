/**
 * The comparison with a baseline revision (--baseline REV): the current
 * build's median wall time against the baseline's, step by step, measured in
 * the same run (issue 13: no slower than before, within 5 %).
 */
import { mdTable, type PushRound } from './push-report.js';
import type { TimedResult } from './timed.js';

/** What the worker measured of the baseline build. */
export interface BaselineRuns {
  /** The revision as given on the command line. */
  readonly name: string;
  /** Its abbreviated commit id. */
  readonly commit: string;
  /** Its cold bundle create runs, one per current cold run. */
  readonly create: readonly TimedResult[];
  /** Whether every baseline bundle had the sha256 of the current build's of the same round. */
  readonly sameBundle: boolean;
}

/** Slowest the current build may be: 1.05 × the baseline's median. */
export const baselineFactor = 1.05;

export interface BaselineComparison {
  readonly step: string;
  /** Wall seconds of every run, in order. */
  readonly current: readonly number[];
  readonly baseline: readonly number[];
  readonly currentMedian: number;
  readonly baselineMedian: number;
  /** current / baseline median. */
  readonly ratio: number;
  readonly pass: boolean;
}

/** The median (the upper one of an even count), as the other figures take it. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function compare(
  step: string,
  current: readonly number[],
  baseline: readonly number[],
): BaselineComparison {
  const currentMedian = median(current);
  const baselineMedian = median(baseline);
  return {
    step,
    current,
    baseline,
    currentMedian,
    baselineMedian,
    ratio: currentMedian / baselineMedian,
    pass: currentMedian <= baselineFactor * baselineMedian,
  };
}

const walls = (runs: ReadonlyArray<TimedResult | undefined>): number[] =>
  runs.map((r) => r?.wallSeconds ?? NaN);

/** Create cold, and (unless --no-push) push cold and re-run, current against baseline. */
export function baselineComparisons(
  b: BaselineRuns,
  currentCreate: readonly TimedResult[],
  rounds: readonly PushRound[] | undefined,
): BaselineComparison[] {
  const out = [compare('bundle create cold', walls(currentCreate), walls(b.create))];
  if (rounds === undefined) return out;
  out.push(
    compare(
      'push images cold',
      walls(rounds.map((r) => r.bmpack)),
      walls(rounds.map((r) => r.baselinePush)),
    ),
    compare(
      'push images re-run',
      walls(rounds.map((r) => r.bmpackRerun)),
      walls(rounds.map((r) => r.baselineRerun)),
    ),
  );
  return out;
}

const secs = (s: number): string => s.toFixed(2);
const word = (c: BaselineComparison): string => (c.pass ? 'PASS' : 'FAIL');
const target = `current ≤ ${baselineFactor.toFixed(2)} × baseline (medians)`;

/** A headline for the top of RESULTS.md. */
export function baselineHeadline(b: BaselineRuns, cs: readonly BaselineComparison[]): string {
  const failed = cs.filter((c) => !c.pass).length;
  return failed === 0
    ? `against ${b.name}: no step slower than ${baselineFactor} × the baseline.`
    : `against ${b.name}: ${failed} of ${cs.length} steps slower than ${baselineFactor} × the baseline.`;
}

/** The comparison block of the console output. */
export function renderBaselineConsole(
  b: BaselineRuns,
  cs: readonly BaselineComparison[],
): string[] {
  const w = Math.max(...cs.map((c) => c.step.length));
  return [
    '',
    `against the baseline ${b.name} (commit ${b.commit}), same machine, same run, in turn: ${target}`,
    ...cs.map(
      (c) =>
        `  ${word(c)}  ${c.step.padEnd(w)}  current ${secs(c.currentMedian).padStart(7)} s  baseline ${secs(c.baselineMedian).padStart(7)} s  ratio ${c.ratio.toFixed(3)}`,
    ),
    `  baseline bundles byte-identical to the current build's: ${b.sameBundle ? 'yes' : 'NO'}`,
  ];
}

/** The "against the baseline" section of RESULTS.md. */
export function renderBaselineMarkdown(b: BaselineRuns, cs: readonly BaselineComparison[]): string {
  return `## Against the baseline ${b.name}

Issue 13: create and push are no slower than before the change, within 5 % on the same machine in the same run. The baseline is commit \`${b.commit}\` (\`--baseline ${b.name}\`), checked out with \`git archive\` and built into the run directory exactly as the current tree is. Each of its runs uses its own fresh cache directory (bundle create) or its own fresh registry (push images, then its re-run), and pushes the same bundle (the current build's last cold one). Within each round the two builds run one after the other, the baseline first in even rounds, so neither always goes first. The wall seconds are medians; *each run* lists them all (current / baseline).

${mdTable(
  ['step', 'current s', 'baseline s', 'each run: current', 'each run: baseline', 'ratio', 'result'],
  cs.map((c) => [
    c.step,
    secs(c.currentMedian),
    secs(c.baselineMedian),
    c.current.map(secs).join(' / '),
    c.baseline.map(secs).join(' / '),
    c.ratio.toFixed(3),
    `**${word(c)}**`,
  ]),
  'lrrllrl',
)}

Target: ${target}. The baseline's bundles ${b.sameBundle ? 'were byte-identical to' : '**differed from**'} the current build's (sha256 of the same round).
`;
}
