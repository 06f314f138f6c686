/**
 * `bmpack serve` as the benches run it: the built CLI on a free port of
 * 127.0.0.1, repositories under `ns/`, with its start-up (spawn to
 * listening) and, once stopped, its peak RSS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, startCli, waitForStderr, type RunningCli } from '../test/rig/cli.js';

export interface BenchServe {
  readonly cli: RunningCli;
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** Seconds from spawn to the line saying where it listens. */
  readonly startup: number;
}

export async function startServe(bundle: string): Promise<BenchServe> {
  const started = performance.now();
  // BENCH_SERVE_PROF=DIR: serve writes a CPU profile there (node --cpu-prof) when it stops.
  const prof = process.env['BENCH_SERVE_PROF'];
  const run = join(repoRoot, 'bin', 'run.js');
  const args = ['serve', '--source', bundle, '--listen', '127.0.0.1:0', '--namespace', 'ns'];
  const cli = startCli(args, {
    ...(prof !== undefined
      ? { launcher: [process.execPath, '--cpu-prof', '--cpu-prof-dir', prof, run] }
      : {}),
  });
  const address = await waitForStderr(cli, /on http:\/\/(\S+)\/v2\/ns/, 30_000, 5);
  return { cli, address, startup: (performance.now() - started) / 1000 };
}

/** Peak RSS (VmHWM) of a running process, in MB. */
export async function peakRss(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? '0') / 1024;
}

/** Stops it (SIGTERM, its graceful stop) and waits for it to exit. */
export async function stopServe(serve: BenchServe): Promise<void> {
  serve.cli.child.kill('SIGTERM');
  await serve.cli.done;
}
