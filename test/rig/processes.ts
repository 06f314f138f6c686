/**
 * Bookkeeping for everything the rig starts: child processes (registries,
 * skopeo, openssl), in-process servers (token server, proxies) and temp
 * folders (temp-dir.ts). Each is registered with a stop function; {@link stopAll}
 * runs them all, and the mocha root hook in hooks.ts calls it so that a failing
 * or forgotten `after` never leaves a registry running, a folder behind, or
 * keeps mocha's event loop alive.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Server, Socket } from 'node:net';

/** Something the rig started and knows how to stop. */
export interface Tracked {
  /** What it is, for error messages and {@link running}. */
  readonly name: string;
  /** Stops it; safe to call more than once, and unregisters it. */
  stop(): Promise<void>;
}

const live = new Set<Tracked>();
const liveChildren = new Set<ChildProcess>();

// Last resort when mocha dies without running root hooks (uncaught error,
// process.exit): 'exit' handlers must be synchronous, so only SIGKILL and the
// synchronous `atExit` actions of what is still tracked (rmSync) fit.
const atExitActions = new Map<Tracked, () => void>();

const killChildren = (): void => {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const action of atExitActions.values()) action();
};
process.on('exit', killChildren);
// A runner killed by a signal (CI timeout, `timeout`) never emits 'exit'. Kill
// the children, then re-raise: the `once` listener is gone by then, so the
// signal's default action ends the process as it would have without us.
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

/**
 * Registers a stop function under `name`. The returned handle's `stop()` runs
 * it at most once (later calls wait for the same promise). `atExit`, if given,
 * runs at process exit instead when nobody stopped the handle; it must be
 * synchronous.
 */
export function track(
  name: string,
  stop: () => Promise<void> | void,
  atExit?: () => void,
): Tracked {
  let stopping: Promise<void> | undefined;
  const handle: Tracked = {
    name,
    stop() {
      stopping ??= (async () => {
        try {
          await stop();
        } finally {
          live.delete(handle);
          atExitActions.delete(handle);
        }
      })();
      return stopping;
    },
  };
  live.add(handle);
  if (atExit !== undefined) atExitActions.set(handle, atExit);
  return handle;
}

/**
 * Registers a server; call it before `listen()` so that every connection is
 * seen. Stopping closes the server and destroys its open connections
 * (keep-alive sockets and CONNECT tunnels would otherwise hold `close()` open).
 */
export function trackServer(name: string, server: Server): Tracked {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return track(name, async () => {
    const closed = new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => {
        resolve();
      });
    });
    for (const socket of sockets) socket.destroy();
    await closed;
  });
}

/** A child process started by {@link spawnTracked}. */
export interface TrackedProcess extends Tracked {
  readonly child: ChildProcess;
  /** The last 64 KiB of stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Spawns `command` and tracks it. Stopping sends SIGTERM, then SIGKILL if the
 * process is still there after `graceMs` (default 3 s).
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { graceMs?: number } = {},
): TrackedProcess {
  const { graceMs = 3000, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  liveChildren.add(child);
  let captured = '';
  const capture = (chunk: Buffer): void => {
    captured += chunk.toString('utf8');
    if (captured.length > OUTPUT_LIMIT) captured = captured.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      // Spawn failures (ENOENT) emit 'error' and maybe no 'close'.
      capture(Buffer.from(`${err.message}\n`));
      liveChildren.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const name = `${command} ${args.join(' ')}`;
  const handle = track(name, async () => {
    if (!liveChildren.has(child)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  });
  return { name, stop: () => handle.stop(), child, output: () => captured, exited };
}

/** Options for {@link runTool}. */
export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the process and fail after this long (default 60 s). */
  timeoutMs?: number;
}

/**
 * Runs a command to completion and returns its stdout. A non-zero exit or a
 * timeout throws an Error carrying the command line and its output.
 */
export async function runTool(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<Buffer> {
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  liveChildren.add(child);
  const handle = track(`${command} ${args.join(' ')}`, () => {
    if (liveChildren.has(child)) child.kill('SIGKILL');
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {
    // The tool may exit without reading stdin; its exit status tells the story.
  });
  child.stdin.end(options.input);
  // An object, not a let: the flag is set in a callback TS cannot see.
  const state = { timedOut: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => {
        resolve(status);
      });
    });
    if (code !== 0) {
      const why = state.timedOut ? 'timed out' : `exited with ${String(code)}`;
      const out = Buffer.concat([...stderr, ...stdout]).toString('utf8');
      throw new Error(`${command} ${args.join(' ')} ${why}:\n${out}`);
    }
    return Buffer.concat(stdout);
  } finally {
    clearTimeout(timer);
    liveChildren.delete(child);
    await handle.stop();
  }
}

/** Names of everything currently tracked (tests use it to check cleanup). */
export function running(): string[] {
  return [...live].map((t) => t.name);
}

/** Stops everything tracked, in reverse start order; reports all failures together. */
export async function stopAll(): Promise<void> {
  const failures: unknown[] = [];
  for (const handle of [...live].reverse()) {
    try {
      await handle.stop();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'rig: some stops failed');
}
