/** Real files for the image-set tests, in a temporary directory removed afterwards. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempManifests {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TempManifests> {
    return new TempManifests(await mkdtemp(join(tmpdir(), 'bmpack-image-set-')));
  }

  /** Write `text` to `name` in the directory and return its path. */
  async write(name: string, text: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, text);
    return path;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Text from lines, so that tests can count them. */
export const lines = (...l: string[]): string => `${l.join('\n')}\n`;
