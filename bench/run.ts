/**
 * bmpack's benchmark: `node --import tsx bench/run.ts [--scale N] …` (see
 * options.ts for the flags; BENCH_SCALE=0.1 for a quick run).
 *
 * This process only supervises. It makes a run directory under .bench-work/,
 * starts the worker (worker.ts: registry, workload, measurements, report) in a
 * process group of its own with TMPDIR inside the run directory, and when the
 * worker ends — however it ends, SIGKILL included — kills whatever is left in
 * that group (registry, skopeo, GNU time, bmpack, tar, xz) and removes the run
 * directory. Ctrl-C / SIGTERM are passed on to the worker, which stops
 * everything itself; if it has not exited 20 s later the group is killed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionsEnv, parseBenchArgs, usage, workRoot, type BenchOptions } from './options.js';

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // nothing left in the group
  }
}

/** `--scale 8g` (a size, not a factor): the scale bench (scale.ts) instead of the main run. */
function scaleInGb(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--scale' || a.startsWith('--scale='));
  const value = i < 0 ? undefined : (argv[i]?.split('=')[1] ?? argv[i + 1]);
  return value !== undefined && /^\d+(\.\d+)?g$/i.test(value) ? value : undefined;
}

async function supervise(): Promise<number> {
  let parsed: Omit<BenchOptions, 'runDir' | 'args'> | undefined;
  const gb = scaleInGb(process.argv.slice(2));
  try {
    parsed =
      gb !== undefined
        ? parseBenchArgs([], process.env)
        : parseBenchArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return 2;
  }
  if (parsed === undefined) {
    process.stdout.write(usage);
    return 0;
  }
  mkdirSync(workRoot, { recursive: true });
  const runDir = mkdtempSync(join(workRoot, 'run-'));
  const tmp = join(runDir, 'tmp');
  mkdirSync(tmp);
  const options: BenchOptions = { ...parsed, runDir, args: process.argv.slice(2) };
  const env: NodeJS.ProcessEnv = { ...process.env, [optionsEnv]: JSON.stringify(options) };
  // The rig, skopeo and the registry put their temp files here, so removing
  // the run directory removes them too, whatever happened to the worker.
  env['TMPDIR'] = tmp;
  delete env['NODE_OPTIONS'];
  if (gb !== undefined) {
    env['BENCH_SCALE_GB'] = gb;
    env['BENCH_RUN_DIR'] = runDir;
  }
  const worker = fileURLToPath(
    new URL(gb !== undefined ? './scale.ts' : './worker.ts', import.meta.url),
  );
  const child = spawn(process.execPath, [...process.execArgv, worker], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  const pid = child.pid;
  let escalation: NodeJS.Timeout | undefined;
  const forward = (signal: NodeJS.Signals) => (): void => {
    process.stderr.write(`\nbench: ${signal}: stopping\n`);
    child.kill('SIGTERM');
    escalation ??= setTimeout(() => {
      if (pid !== undefined) killGroup(pid);
    }, 20_000);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, forward(signal));
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`bench: cannot start the worker: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (status, signal) => {
      resolve(status ?? 128 + (signal !== null ? constants.signals[signal] : 0));
    });
  });
  if (escalation !== undefined) clearTimeout(escalation);
  if (pid !== undefined) killGroup(pid);
  if (options.keep) process.stderr.write(`bench: kept ${runDir}\n`);
  else rmSync(runDir, { recursive: true, force: true });
  return code;
}

process.exitCode = await supervise();
