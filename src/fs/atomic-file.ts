/**
 * Files that appear whole or not at all: write to a temporary name in the
 * target's own directory (same filesystem, so rename is atomic), then
 * rename. On failure the temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readdir, rm, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BmpackError } from '../errors.js';

/** A temporary path beside `target`, hidden and recognisable: `.NAME.tmp-PID-RAND`. */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * Fails with E_IO unless the folder that will hold `target` exists and is
 * writable: checked before long work (pulling a release), not after it.
 */
export async function assertWritableFolder(target: string): Promise<void> {
  const folder = dirname(target);
  try {
    await access(folder, constants.W_OK);
  } catch (err) {
    throw ioError(err, folder, `write ${basename(target)} into`);
  }
}

export async function commitTemp(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw ioError(err, target, 'rename into place');
  }
}

export async function discardTemp(temp: string): Promise<void> {
  await rm(temp, { force: true });
}

/** A local I/O failure with a hint by errno (disk full, permissions). */
export function ioError(err: unknown, path: string, action: string): BmpackError {
  if (err instanceof BmpackError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const hints: Record<string, string> = {
    ENOSPC: 'The disk is full: free some space, or write elsewhere.',
    EACCES: 'Permission denied: check the permissions of the folder.',
    EPERM: 'Permission denied: check the permissions of the folder.',
    ENOENT: 'The folder does not exist: create it first or choose another path.',
    EROFS: 'The filesystem is read-only: choose another path.',
  };
  return new BmpackError('E_IO', `cannot ${action} ${path}${code ? ` (${code})` : ''}`, {
    hint: hints[code] ?? 'Check the path and the disk.',
    cause: err,
  });
}

/**
 * Remove temporary files of `target` left by processes that no longer run
 * (a kill -9 cannot clean up after itself). Files of live processes stay.
 */
export async function removeStaleTemps(target: string): Promise<number> {
  return removeStaleTempsIn(dirname(target), `.${basename(target)}.tmp-`);
}

/** The same for every temporary file in `dir` (a cache folder after a kill -9). */
export async function removeStaleTempsIn(dir: string, prefix = '.'): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const at = name.indexOf('.tmp-');
    if (!name.startsWith(prefix) || at === -1) continue;
    const pid = Number(name.slice(at + 5).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
