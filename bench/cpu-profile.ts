/**
 * A plain-text summary of a V8 `.cpuprofile` (node --cpu-prof): self time by
 * function and by where the code lives (bmpack's own files, each package,
 * node internals, GC, idle).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { nodes?: unknown }).nodes) &&
    typeof (value as { startTime?: unknown }).startTime === 'number'
  );
}

/** Where a frame's code lives, coarsely. */
function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm !== null) return `package ${nm[1] ?? '?'}`;
  const own = /\/dist\/((?:src|commands)\/.+)$/.exec(url);
  if (own !== null) return `bmpack ${own[1] ?? '?'}`;
  return url;
}

function where(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const short = frame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

/** One sample: its leaf frame, the chain of callers, its time and when it was taken. */
interface Sample {
  readonly frame: CallFrame;
  /** Leaf first. */
  readonly stack: readonly CallFrame[];
  readonly ms: number;
  /** Seconds after the profile started. */
  readonly at: number;
}

function samplesOf(profile: CpuProfile): Sample[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, CallFrame[]>();
  const stackOf = (id: number): CallFrame[] => {
    let stack = stacks.get(id);
    if (stack === undefined) {
      stack = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const node = byId.get(at);
        if (node !== undefined) stack.push(node.callFrame);
      }
      stacks.set(id, stack);
    }
    return stack;
  };
  const ids = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const out: Sample[] = [];
  let clock = 0;
  for (let i = 0; i < ids.length; i++) {
    clock += deltas[i] ?? 0;
    // timeDeltas[i] is the time before sample i; charge the next one to it.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const stack = stackOf(ids[i] ?? -1);
    const frame = stack[0];
    if (frame !== undefined) out.push({ frame, stack, ms, at: clock / 1e6 });
  }
  return out;
}

/**
 * The two innermost bmpack functions on the stack (callee ← caller): who
 * asked for the time spent below them.
 */
function bmpackCaller(sample: Sample): string {
  if (sample.frame.url === '' && sample.frame.functionName.startsWith('(')) {
    return sample.frame.functionName;
  }
  const own = sample.stack.filter((f) => area(f).startsWith('bmpack ')).slice(0, 2);
  const leaf = where(sample.frame).replace(/ .*$/, '');
  if (own.length === 0) return `(outside bmpack) ${leaf}`;
  return `${own.map((f) => where(f).replace('dist/src/', '')).join(' ← ')}  [leaf ${leaf}]`;
}

function totals(samples: readonly Sample[], key: (s: Sample) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const k = key(s);
    out.set(k, (out.get(k) ?? 0) + s.ms);
  }
  return out;
}

function top(map: Map<string, number>, n: number, totalMs: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, ms]) =>
        `${(ms / 1000).toFixed(2).padStart(7)} s ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${k}`,
    );
}

/** A named span of the profile, in seconds after the process started. */
export interface ProfileWindow {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/**
 * A few lines: total, self time by area, the hottest functions, and main-thread
 * time by the innermost bmpack function on the stack — overall and in each
 * window (e.g. bmpack's phases).
 */
export async function summariseCpuProfile(
  file: string,
  windows: readonly ProfileWindow[] = [],
  opts: { topFunctions?: number; wallSeconds?: number } = {},
): Promise<string> {
  const topFunctions = opts.topFunctions ?? 12;
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const totalMs = (parsed.endTime - parsed.startTime) / 1000;
  const samples = samplesOf(parsed);
  const lines = [
    `V8 CPU profile (main thread only) ${file}: ${(totalMs / 1000).toFixed(2)} s`,
    'self time by area:',
    ...top(
      totals(samples, (s) => area(s.frame)),
      10,
      totalMs,
    ).map((l) => `  ${l}`),
    'hottest functions (self time):',
    ...top(
      totals(samples, (s) => where(s.frame)),
      topFunctions,
      totalMs,
    ).map((l) => `  ${l}`),
    'time by innermost bmpack functions on the stack (callee ← caller):',
    ...top(totals(samples, bmpackCaller), topFunctions, totalMs).map((l) => `  ${l}`),
  ];
  // Windows count from the process start; the profile from a little later (node's
  // bootstrap) until exit. With the wall time known, line the two ends up.
  const offset = opts.wallSeconds !== undefined ? opts.wallSeconds - totalMs / 1000 : 0;
  for (const w of windows) {
    const inside = samples.filter((s) => s.at + offset >= w.from && s.at + offset < w.to);
    const ms = (w.to - w.from) * 1000;
    lines.push(
      `${w.name}: ${(ms / 1000).toFixed(2)} s (${w.from.toFixed(2)}–${w.to.toFixed(2)} s)`,
      ...top(totals(inside, bmpackCaller), 8, ms).map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}

/** When the profile first caught each of some bmpack functions on the stack. */
export interface FirstSamples {
  /** Length of the profile, seconds. */
  readonly profileSeconds: number;
  /** Seconds after the profile started of the first sample with the function on the stack. */
  readonly at: ReadonlyMap<string, number>;
}

/**
 * The first sample, in seconds after the profile started, in which each of
 * `names` (functions of bmpack's own code, dist/src or dist/commands) is on
 * the stack: where a phase that runs inside that function began, give or take
 * the sampling interval. Names never sampled are left out.
 */
export async function firstSamples(file: string, names: readonly string[]): Promise<FirstSamples> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const wanted = new Set(names);
  const at = new Map<string, number>();
  for (const s of samplesOf(parsed)) {
    for (const f of s.stack) {
      if (wanted.has(f.functionName) && !at.has(f.functionName) && area(f).startsWith('bmpack ')) {
        at.set(f.functionName, s.at);
      }
    }
    if (at.size === wanted.size) break;
  }
  return { profileSeconds: (parsed.endTime - parsed.startTime) / 1e6, at };
}

function windowsFromArgs(args: readonly string[]): ProfileWindow[] {
  // name=from:to …
  return args.map((a) => {
    const m = /^([^=]+)=([\d.]+):([\d.]+)$/.exec(a);
    if (m === null) throw new Error(`window ${a}: expected name=from:to (seconds)`);
    return { name: m[1] ?? a, from: Number(m[2]), to: Number(m[3]) };
  });
}

// `node --import tsx bench/cpu-profile.ts FILE.cpuprofile [name=from:to …]` prints the summary
// (windows then count from the start of the profile).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, ...windows] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: cpu-profile.ts FILE.cpuprofile [name=from:to …]');
  process.stdout.write(`${await summariseCpuProfile(file, windowsFromArgs(windows))}\n`);
}
