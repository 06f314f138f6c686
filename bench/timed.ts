/**
 * Running a command under GNU time (`/usr/bin/time -f '%e %M %U %S'`) for its
 * wall seconds, peak RSS and CPU seconds, with stderr lines timestamped as they arrive (bmpack
 * prints a line as each phase starts). Every process is tracked by the rig's
 * `track`, so `stopAll()` ends it, and its whole tree (time, the command and
 * anything it started) is killed on the way out, even on process.exit().
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { track } from '../test/rig/processes.js';

/** Where GNU time is expected (Debian package `time`). */
export const gnuTimePath = '/usr/bin/time';

/** Fails unless /usr/bin/time is GNU time (the shell keyword `time` cannot report RSS). */
export function requireGnuTime(): string {
  let version = '';
  try {
    version = spawnSyncText(gnuTimePath, ['--version']);
  } catch {
    // reported below
  }
  if (!/gnu time/i.test(version)) {
    throw new Error(
      `${gnuTimePath} is not GNU time (needed for wall time and peak RSS): install the Debian package time (apt-get install time)`,
    );
  }
  return version.split('\n')[0]?.trim() ?? 'GNU time';
}

function spawnSyncText(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

/** Process ids of running timed commands (the `time` process at the top of each tree). */
const liveRoots = new Set<number>();

/** `pid` and all its descendants, from /proc (Linux). */
function processTree(pid: number): number[] {
  const out: number[] = [pid];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const c of children.split(' ')) {
      const child = Number(c);
      if (Number.isInteger(child) && child > 0) out.push(...processTree(child));
    }
  }
  return out;
}

/** Sends `signal` to `pid` and every descendant (synchronously). */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const p of processTree(pid)) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Kills every running timed command's tree; safe in 'exit' and signal handlers. */
export function killAllTimed(): void {
  for (const pid of liveRoots) killTree(pid, 'SIGKILL');
}
process.on('exit', killAllTimed);

/** One stderr line and when it arrived, in seconds after the start. */
export interface TimedLine {
  readonly at: number;
  readonly text: string;
}

/** The outcome of {@link timed}. */
export interface TimedResult {
  readonly label: string;
  /** GNU time's %e: elapsed wall seconds. */
  readonly wallSeconds: number;
  /** GNU time's %M: peak resident set, KiB. */
  readonly maxRssKiB: number;
  /** GNU time's %U + %S: CPU seconds, user and system. */
  readonly cpuSeconds: number;
  /**
   * CPU seconds the whole machine was busy meanwhile (/proc/stat), this
   * command included: well above cpuSeconds means something else ran too.
   */
  readonly machineCpuSeconds: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: readonly TimedLine[];
}

/** Options of {@link timed}. */
export interface TimedOptions {
  /** Directory for GNU time's output file. */
  readonly timeDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Kill it and fail after this long (default 1 h). */
  readonly timeoutMs?: number;
}

const CAPTURE_LIMIT = 1024 * 1024;

/** Busy CPU seconds of the whole machine since boot (/proc/stat; USER_HZ is 100 on Linux). */
export function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal …
    const f = cpu.trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((s, i) => s + (f[i] ?? 0), 0);
    return busy / 100;
  } catch {
    return NaN;
  }
}
let counter = 0;

/** GNU time's format: wall seconds, peak RSS KiB, user and system CPU seconds. */
export const timeFormat = '%e %M %U %S';

/** What GNU time measured. */
export interface TimeFigures {
  readonly wallSeconds: number;
  readonly maxRssKiB: number;
  readonly cpuSeconds: number;
}

/** Parses GNU time's `-o` file written with {@link timeFormat} (the last line). */
export function parseTimeFile(text: string): TimeFigures {
  const last = text.trim().split('\n').pop() ?? '';
  const m = /^(\d+(?:\.\d+)?) (\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(last.trim());
  if (m === null) throw new Error(`unexpected GNU time output: ${JSON.stringify(text)}`);
  return {
    wallSeconds: Number(m[1]),
    maxRssKiB: Number(m[2]),
    cpuSeconds: Number(m[3]) + Number(m[4]),
  };
}

/**
 * Runs `command args` under GNU time and resolves with its wall time, peak
 * RSS and output; a non-zero exit, a signal or the timeout throws.
 */
export async function timed(
  label: string,
  command: string,
  args: readonly string[],
  opts: TimedOptions,
): Promise<TimedResult> {
  const timeFile = join(opts.timeDir, `${String(++counter).padStart(3, '0')}.time`);
  const started = performance.now();
  const busyBefore = machineBusySeconds();
  const child = spawn(gnuTimePath, ['-f', timeFormat, '-o', timeFile, command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  const pid = child.pid;
  if (pid !== undefined) liveRoots.add(pid);
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';
  let partial = '';
  const lines: TimedLine[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdoutBytes < CAPTURE_LIMIT) stdout.push(chunk);
    stdoutBytes += chunk.length;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const at = (performance.now() - started) / 1000;
    const text = chunk.toString('utf8');
    if (stderr.length < CAPTURE_LIMIT) stderr += text;
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ at, text: line });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        resolve({ code, signal });
      });
    },
  );
  const handle = track(`timed: ${label}`, async () => {
    if (pid === undefined || !liveRoots.has(pid)) return;
    killTree(pid, 'SIGTERM');
    const grace = setTimeout(() => {
      killTree(pid, 'SIGKILL');
    }, 3000);
    await exited.catch(() => undefined);
    clearTimeout(grace);
  });
  const state = { timedOut: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    if (pid !== undefined) killTree(pid, 'SIGKILL');
  }, opts.timeoutMs ?? 3_600_000);
  try {
    const { code, signal } = await exited;
    const out = Buffer.concat(stdout).toString('utf8');
    if (partial !== '') lines.push({ at: (performance.now() - started) / 1000, text: partial });
    if (code !== 0) {
      const why = state.timedOut
        ? 'timed out'
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with ${String(code)}`;
      throw new Error(
        `${label}: ${command} ${args.join(' ')} ${why}:\n${(stderr + out).slice(-8000)}`,
      );
    }
    const machineCpuSeconds = machineBusySeconds() - busyBefore;
    const times = parseTimeFile(await readFile(timeFile, 'utf8'));
    return { label, ...times, machineCpuSeconds, stdout: out, stderr, lines };
  } finally {
    clearTimeout(timer);
    if (pid !== undefined) liveRoots.delete(pid);
    await handle.stop();
  }
}
