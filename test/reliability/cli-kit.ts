/**
 * Checks of CLI runs (test/rig/cli.ts runs them): what every failing run must pass: the category's exit code, `Error [CODE]` and
 * a hint on stderr, no stack trace (unless --debug), and what a registry or
 * a folder holds afterwards.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { exitCodeFor, type ErrorCode } from '../../src/errors.js';
import type { CliRun } from '../rig/cli.js';
import type { RunningRegistry } from '../rig/registry.js';
import { send } from '../rig/test-http.js';

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
