/**
 * The built CLI (bin/run.js) run as a child process, the way a user runs it:
 * real exit codes, real stderr, no terminal (so no prompt). Plus the checks
 * every failing run must pass: the category's exit code, `Error [CODE]` and
 * a hint on stderr, no stack trace (unless --debug), and what a registry or
 * a folder holds afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { exitCodeFor, type ErrorCode } from '../../src/errors.js';
import type { RunningRegistry } from '../rig/registry.js';
import { send } from '../rig/test-http.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'run.js');

/** Fails (never skips) when the CLI has not been built: these tests run the real binary. */
export function requireBuiltCli(): void {
  const built = ['bmpack.cjs', 'commands/bundle/create.js', 'commands/push/images.js'];
  for (const file of built) {
    if (!existsSync(join(root, 'dist', file))) {
      throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
    }
  }
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for failure messages. */
  readonly argv: string;
}

export interface CliOptions {
  readonly cwd: string;
  /** Added to this process's environment (without any BMPACK_ or proxy setting). */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (stdin is never a terminal). */
  readonly input?: string;
  /** Killed (and the test failed) after this long: a hang guard, not a timing assertion. */
  readonly timeoutMs?: number;
}

/** This process's environment without proxies or BMPACK_ settings, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(https?|no|all)_proxy$/i.test(key) && !key.startsWith('BMPACK_'),
    ),
  );
  return { ...env, ...extra };
}

/** Runs `bmpack ARGS` to its end. */
export function runCli(args: readonly string[], o: CliOptions): Promise<CliRun> {
  const argv = `bmpack ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: o.cwd,
      env: cleanEnv(o.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv} did not finish within ${o.timeoutMs ?? 60_000} ms:\n${stderr}`));
    }, o.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, argv });
    });
  });
}

/** A line of a JavaScript stack trace. */
export const stackLine = /^\s+at \S/m;

/**
 * The run failed the way a user should see it: exit code of `code`'s
 * category, `Error [code]` and a hint on stderr, each of `names` in the
 * message, and no stack trace anywhere.
 */
export function expectCleanFailure(run: CliRun, code: ErrorCode, names: readonly string[]): void {
  const context = `${run.argv}\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`;
  expect(run.code, context).to.equal(exitCodeFor(code));
  expect(run.stderr, context).to.contain(`Error [${code}]`);
  expect(run.stderr, context).to.match(/^Hint: \S/m);
  for (const name of names) expect(run.stderr, context).to.contain(name);
  expect(run.stderr, context).to.not.match(stackLine);
  expect(run.stdout, context).to.not.match(stackLine);
}

/** The same under --json: the error object on stdout, nothing but warnings on stderr. */
export function expectJsonFailure(run: CliRun, code: ErrorCode): JsonError {
  const context = `${run.argv}\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`;
  expect(run.code, context).to.equal(exitCodeFor(code));
  const out = JSON.parse(run.stdout) as { error: JsonError };
  expect(out.error.code, context).to.equal(code);
  expect(out.error.exitCode, context).to.equal(exitCodeFor(code));
  expect(out.error.hint, context).to.be.a('string');
  expect(run.stdout + run.stderr, context).to.not.match(stackLine);
  return out.error;
}

export interface JsonError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly exitCode: number;
  readonly details?: Record<string, unknown>;
}

/** Repositories the registry lists in its catalog. */
export async function catalog(reg: RunningRegistry): Promise<string[]> {
  const res = await send(`${reg.origin}/v2/_catalog?n=1000`, {
    ...(reg.caFile !== undefined ? { caFile: reg.caFile } : {}),
    ...(reg.username !== undefined && reg.password !== undefined && reg.setup === 'htpasswd'
      ? {
          headers: {
            authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}`,
          },
        }
      : {}),
  });
  expect(res.status, `GET /v2/_catalog: ${res.body.toString()}`).to.equal(200);
  return (JSON.parse(res.body.toString()) as { repositories: string[] | null }).repositories ?? [];
}

/** Tags of a repository (none when the registry does not know it). */
export async function tagsOf(reg: RunningRegistry, repo: string): Promise<string[]> {
  const res = await send(`${reg.origin}/v2/${repo}/tags/list`, {
    ...(reg.caFile !== undefined ? { caFile: reg.caFile } : {}),
  });
  if (res.status === 404) return [];
  expect(res.status, `GET /v2/${repo}/tags/list: ${res.body.toString()}`).to.equal(200);
  return (JSON.parse(res.body.toString()) as { tags: string[] | null }).tags ?? [];
}

/** Every path under `dir` (relative, sorted; folders end in `/`). */
export async function treeOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${relative(dir, path)}/`);
        await walk(path);
      } else out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.sort();
}
