/**
 * Builds bmpack for the benchmark — the working tree, and with --baseline a
 * git revision too, both the same way — and runs the two in turn.
 */
import { copyFile, mkdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../test/rig/processes.js';

/** A git revision built to be timed: its bin/run.js, and what it was built from. */
export interface Build {
  readonly bin: string;
  /** The revision as given (--baseline). */
  readonly name: string;
  /** Its abbreviated commit id. */
  readonly commit: string;
}

/**
 * bmpack compiled from `source` into `app` (so that others rebuilding dist/
 * meanwhile change nothing here): dist/ (tsc's output and the single file),
 * bin/run.js and package.json, with node_modules linked to the source's.
 * Returns the bin/run.js to run.
 */
export async function buildApp(
  source: string,
  app: string,
  log: (message: string) => void,
): Promise<string> {
  const tsc = join(source, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    // prettier-ignore
    await runTool(process.execPath, [tsc, '-p', join(source, 'tsconfig.json'), '--outDir', join(app, 'dist')], {
      timeoutMs: 600_000,
    });
  } catch (err) {
    // tsc emits despite type errors; errors elsewhere (others' work in
    // progress) need not stop a benchmark of `bundle create`.
    const message = err instanceof Error ? err.message : String(err);
    try {
      await stat(join(app, 'dist', 'commands', 'bundle', 'create.js'));
    } catch {
      throw new Error(
        `building bmpack from ${source} failed (--use-dist runs the existing dist/ instead):\n${message}`,
      );
    }
    log(`WARNING: tsc reported errors; going on with what it emitted:\n${message}`);
  }
  await mkdir(join(app, 'bin'));
  await copyFile(join(source, 'bin', 'run.js'), join(app, 'bin', 'run.js'));
  await copyFile(join(source, 'package.json'), join(app, 'package.json'));
  await symlink(join(source, 'node_modules'), join(app, 'node_modules'), 'dir');
  // As `npm run build` does and the package ships: the single file (all
  // modules in one, with V8's code cache) that bin/run.js starts.
  await runTool(
    process.execPath,
    [join(source, 'bin', 'package.js'), '--script-only', '--out', join(app, 'dist')],
    { timeoutMs: 300_000 },
  );
  return join(app, 'bin', 'run.js');
}

/** Whether package-lock.json at `rev` is the working tree's (then node_modules can be shared). */
async function sameLockfile(repo: string, rev: string): Promise<boolean> {
  try {
    await runTool('git', ['-C', repo, 'diff', '--quiet', rev, '--', 'package-lock.json']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Git revision `rev` of `repo` checked out (git archive, so the repository's
 * worktrees and index stay untouched) under `dir`/src and built into
 * `dir`/app as the working tree is. Its node_modules is the repository's when
 * the lockfile is the same, else installed by `npm ci` from npm's cache.
 */
export async function buildRevision(
  repo: string,
  rev: string,
  dir: string,
  log: (message: string) => void,
): Promise<Build> {
  const git = (args: readonly string[]): Promise<string> =>
    runTool('git', ['-C', repo, ...args]).then((b) => b.toString('utf8').trim());
  const commit = await git(['rev-parse', '--short', '--verify', `${rev}^{commit}`]);
  const source = join(dir, 'src');
  await mkdir(source, { recursive: true });
  const archive = join(dir, 'src.tar');
  await git(['archive', '--format=tar', '-o', archive, commit]);
  await runTool('tar', ['-xf', archive, '-C', source]);
  if (await sameLockfile(repo, commit)) {
    await symlink(join(repo, 'node_modules'), join(source, 'node_modules'), 'dir');
  } else {
    log(`  package-lock.json differs at ${rev}: npm ci in its tree (from npm's cache)`);
    // prettier-ignore
    await runTool('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: source, timeoutMs: 900_000 });
  }
  const bin = await buildApp(source, join(dir, 'app'), log);
  return { bin, name: rev, commit };
}

/** What a step gave for the current build, and for the baseline (if any). */
export interface InTurn<T> {
  readonly current: T;
  readonly baseline?: T;
}

/**
 * Runs the current build's step and the baseline's (if any) one after the
 * other, the baseline first in even rounds, so that neither always has the
 * warmer (or colder) machine.
 */
export async function inTurn<T>(
  round: number,
  current: () => Promise<T>,
  baseline: (() => Promise<T>) | undefined,
): Promise<InTurn<T>> {
  if (baseline === undefined) return { current: await current() };
  if (round % 2 === 0) {
    const b = await baseline();
    return { current: await current(), baseline: b };
  }
  const a = await current();
  return { current: a, baseline: await baseline() };
}
