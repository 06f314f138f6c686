/**
 * The one way tests (and the demo) run bmpack: the built CLI (bin/run.js, or
 * another launcher such as the single executable) as a child process, the way
 * a user runs it: real exit codes, real stderr, no terminal (so no prompt).
 * Every run is tracked, so a test that fails half-way leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './processes.js';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const runJs = join(repoRoot, 'bin', 'run.js');

/** Fails (never skips) when the CLI has not been built: these tests run the real binary. */
export function requireBuiltCli(): void {
  const built = ['bmpack.cjs', 'commands/bundle/create.js', 'commands/push/images.js'];
  for (const file of built) {
    if (!existsSync(join(repoRoot, 'dist', file))) {
      throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
    }
  }
}

/** How to run bmpack; everything is optional. */
export interface CliOptions {
  /** Where it runs (default: the repository root). */
  readonly cwd?: string;
  /**
   * Added to this process's environment, from which every proxy and BMPACK_
   * setting is dropped first: the machine's would change what is tested.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** False: the environment is `env` alone (default true, as described there). */
  readonly inheritEnv?: boolean;
  /** Written to stdin, which is then closed (stdin is never a terminal). */
  readonly input?: string;
  /** Killed, and `done` rejected, after this long: a hang guard, not a timing assertion (default 120 s). */
  readonly timeoutMs?: number;
  /** The command that is bmpack (default: node bin/run.js), e.g. the single executable. */
  readonly launcher?: readonly string[];
  /** Output goes to this process's terminal instead of being collected (the demo). */
  readonly echo?: boolean;
}

/** How a run ended and what it printed. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for failure messages. */
  readonly argv: string;
}

/** A run in progress. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  readonly done: Promise<CliRun>;
}

/** This process's environment without proxies or BMPACK_ settings, plus `extra`. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(https?|no|all)_proxy$/i.test(key) && !key.startsWith('BMPACK_'),
    ),
  );
  return { ...env, ...extra };
}

/** Starts `bmpack ARGS`; it is killed if the test run ends first. */
export function startCli(args: readonly string[], o: CliOptions = {}): RunningCli {
  const [command = process.execPath, ...launch] = o.launcher ?? [process.execPath, runJs];
  const argv = `bmpack ${args.join(' ')}`;
  const output = o.echo === true ? 'inherit' : 'pipe';
  const child = spawn(command, [...launch, ...args], {
    cwd: o.cwd ?? repoRoot,
    env: o.inheritEnv === false ? (o.env ?? {}) : cleanEnv(o.env ?? {}),
    stdio: ['pipe', output, output],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(o.input ?? '');
  const handle = track(argv, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    const timeoutMs = o.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv} did not finish within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      void handle.stop();
      resolve({ code, signal, stdout, stderr, argv });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `bmpack ARGS` to its end. */
export function runCli(args: readonly string[], o: CliOptions = {}): Promise<CliRun> {
  return startCli(args, o).done;
}

/**
 * The first match of `pattern` in what `cli` has printed on stderr (its
 * first group, else the whole match), as soon as it appears; fails if the
 * command exits first or nothing matches within `timeoutMs`.
 */
export async function waitForStderr(
  cli: RunningCli,
  pattern: RegExp,
  timeoutMs = 30_000,
  pollMs = 10,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(cli.stderr());
    if (m !== null) return m[1] ?? m[0];
    if (cli.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${String(pattern)} never appeared on stderr:\n${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
