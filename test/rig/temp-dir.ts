/**
 * The one way tests and rig modules get a temporary folder. It is tracked
 * (processes.ts) like everything else the rig starts: its own `stop()`
 * removes it, the root hook's stopAll() removes what nobody stopped, and
 * process exit removes what is left even when mocha died before its hooks.
 * Plain fs, so unit tests use it too (the unit guard only refuses processes
 * and listening sockets).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track, type Tracked } from './processes.js';

/** A temporary folder made by {@link makeTempDir}; `stop()` removes it. */
export interface TrackedDir extends Tracked {
  readonly path: string;
}

/** Makes a folder under os.tmpdir() named `<prefix>XXXXXX`, removed by its `stop()`. */
export async function makeTempDir(prefix: string): Promise<TrackedDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const handle = track(
    `temp dir ${path}`,
    () => rm(path, { recursive: true, force: true }),
    // Synchronous on purpose: nothing asynchronous runs after 'exit'.
    () => {
      rmSync(path, { recursive: true, force: true });
    },
  );
  return { name: handle.name, path, stop: () => handle.stop() };
}
