/**
 * The same page-cache state before every measured step of a scale run: on
 * a machine whose memory cannot hold the source registry's storage, the
 * bundle and a target registry's storage at once, whichever was touched
 * last would otherwise be cached and the others read from disk, and the
 * dirty pages of one step would be written back during the next. So each
 * step starts after `sync`, with the page cache dropped (root only:
 * /proc/sys/vm/drop_caches; where that is refused the run says so), and
 * with its own input read once: every step reads its input from memory
 * and writes to a disk with nothing else pending.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

/** Whether the page cache could be dropped (set by the first settle). */
export let cacheDropped: boolean | undefined;

/** Every regular file under `dir`. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** sync, drop the page cache, then read `inputs` once. */
export async function settle(inputs: readonly string[]): Promise<void> {
  spawnSync('sync');
  try {
    await writeFile('/proc/sys/vm/drop_caches', '1');
    cacheDropped ??= true;
  } catch {
    cacheDropped = false;
  }
  const discard = (): Writable =>
    new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    });
  for (const file of inputs)
    await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), discard());
}
