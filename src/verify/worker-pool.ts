/**
 * Runs verify tasks on several cores. Hashing and xz Checks are CPU work on
 * bytes that are cheap to read (the page cache, a fast disk), so `bundle
 * verify` spreads them over workers that each read their own stretch of the
 * file. Workers are child processes by default: on the 2-core machine they
 * verify about 10% faster than worker threads (1.88 against 1.70 GB/s
 * checked, on a 1.5 GiB .tar.xz in the page cache with its sidecar; one
 * worker: 0.94 GB/s; test/verify/verify-throughput.test.ts measures it), and
 * their start-up (some 50 ms) is lost in any bundle worth verifying in
 * parallel. With one worker, tasks run right here, without any.
 *
 * Tasks are handed out one at a time to whichever worker is free, in the
 * order given: the caller puts the largest first, so that the last task to
 * finish is a small one.
 */
import type { ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BmpackError } from '../errors.js';
import { runTask } from './run-task.js';
import { singleFileWorker } from './single-file.js';
import type { TaskOutcome, VerifyTask, WorkerMessage } from './verify-task.js';

export type WorkerTransport = 'thread' | 'process';

export interface PoolOptions {
  readonly workers: number;
  readonly transport?: WorkerTransport;
  readonly onBytes?: (n: number) => void;
  readonly signal?: AbortSignal;
}

interface Channel {
  send(task: VerifyTask): void;
  stop(): Promise<void>;
}

/** How many workers `runTasks` starts for these tasks (1: none, they run here). */
export function workersFor(tasks: readonly VerifyTask[], workers: number): number {
  return tasks.length <= 1 ? 1 : Math.max(1, Math.min(workers, tasks.length));
}

export async function runTasks(
  tasks: readonly VerifyTask[],
  o: PoolOptions,
): Promise<TaskOutcome[]> {
  const workers = workersFor(tasks, o.workers);
  if (workers === 1) return runHere(tasks, o);
  const queue = [...tasks];
  const outcomes: TaskOutcome[] = [];
  const channels: Channel[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown): void => {
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      const onAbort = (): void => {
        fail(o.signal?.reason ?? interrupted());
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const handle = (channel: Channel, m: WorkerMessage): void => {
        if (m.type === 'bytes') o.onBytes?.(m.n);
        else if (m.type === 'error') fail(workerError(m.message));
        else {
          outcomes.push(m.outcome);
          if (outcomes.length === tasks.length) {
            o.signal?.removeEventListener('abort', onAbort);
            resolve();
          }
          const next = queue.shift();
          if (next !== undefined) channel.send(next);
        }
      };
      for (let i = 0; i < workers; i++) {
        const channel = open(o.transport ?? 'process', handle, fail);
        channels.push(channel);
        const first = queue.shift();
        if (first !== undefined) channel.send(first);
      }
    });
  } finally {
    await Promise.all(channels.map((c) => c.stop()));
  }
  return outcomes;
}

async function runHere(tasks: readonly VerifyTask[], o: PoolOptions): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const task of tasks) {
    if (o.signal?.aborted === true) throw o.signal.reason ?? interrupted();
    outcomes.push(await runTask(task, o.onBytes ?? (() => undefined)));
  }
  return outcomes;
}

/** The environment of a worker: the single-file build's flag added to ours. */
function workerEnv(): NodeJS.ProcessEnv | undefined {
  return singleFileWorker() === undefined
    ? undefined
    : { ...process.env, BMPACK_VERIFY_WORKER: '1' };
}

/**
 * The worker module beside this one: task-worker.js once built, and
 * task-worker.ts when the tests run the sources through tsx; or the
 * single-file build.
 */
function workerModule(): URL {
  const singleFile = singleFileWorker();
  if (singleFile !== undefined) return pathToFileURL(singleFile);
  return new URL(`./task-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

function open(
  transport: WorkerTransport,
  onMessage: (channel: Channel, m: WorkerMessage) => void,
  onError: (err: unknown) => void,
): Channel {
  return transport === 'thread'
    ? threadChannel(onMessage, onError)
    : processChannel(onMessage, onError);
}

/**
 * tsx's ESM API (the `import` condition of its `tsx/esm/api` export), by
 * file URL: a data: module cannot resolve packages, and require.resolve
 * would pick the CommonJS build, which cannot be imported here.
 */
function tsxApi(): string {
  const pkg = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'));
  return new URL('dist/esm/api/index.mjs', pkg).href;
}

function threadChannel(
  onMessage: (channel: Channel, m: WorkerMessage) => void,
  onError: (err: unknown) => void,
): Channel {
  const url = workerModule();
  // A worker thread does not inherit tsx's loader: under the tests (a .ts
  // module) it registers tsx itself before importing the worker.
  const worker = url.pathname.endsWith('.ts')
    ? new Worker(
        new URL(
          `data:text/javascript,${encodeURIComponent(
            `const { register } = await import(${JSON.stringify(tsxApi())}); register(); await import(${JSON.stringify(url.href)});`,
          )}`,
        ),
      )
    : new Worker(url, { env: workerEnv() ?? process.env });
  let stopping = false;
  const channel: Channel = {
    send: (task) => {
      worker.postMessage(task);
    },
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
  worker.on('message', (m: WorkerMessage) => {
    onMessage(channel, m);
  });
  worker.on('error', onError);
  worker.on('exit', (code) => {
    if (!stopping) onError(workerError(`a verify worker thread exited with code ${code}`));
  });
  return channel;
}

function processChannel(
  onMessage: (channel: Channel, m: WorkerMessage) => void,
  onError: (err: unknown) => void,
): Channel {
  // node:child_process is loaded when first needed, not at every start (~2 ms).
  const { fork } = process.getBuiltinModule('node:child_process');
  const child: ChildProcess = fork(fileURLToPath(workerModule()), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: workerEnv(),
  });
  let stopping = false;
  const channel: Channel = {
    send: (task) => {
      child.send(task);
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
  child.on('message', (m: WorkerMessage) => {
    onMessage(channel, m);
  });
  child.on('error', onError);
  child.on('exit', (code) => {
    if (!stopping)
      onError(workerError(`a verify worker process exited with code ${code ?? 'null'}`));
  });
  return channel;
}

function workerError(message: string): BmpackError {
  return new BmpackError('E_INTERNAL', `bundle verify: ${message}`, {
    hint: 'This is a bug in bmpack: re-run with one worker, and report the output with the debug output.',
    reason: 'worker-crashed',
  });
}

function interrupted(): BmpackError {
  return new BmpackError('E_INTERRUPTED', 'bundle verify was interrupted', {
    hint: 'Nothing was changed: run it again.',
  });
}
