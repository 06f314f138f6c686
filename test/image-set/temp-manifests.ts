/** Real files for the image-set tests, in a temporary directory removed afterwards. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

export class TempManifests {
  readonly dir: string;

  private constructor(private readonly handle: TrackedDir) {
    this.dir = handle.path;
  }

  static async create(): Promise<TempManifests> {
    return new TempManifests(await makeTempDir('bmpack-image-set-'));
  }

  /** Write `text` to `name` in the directory and return its path. */
  async write(name: string, text: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, text);
    return path;
  }

  async remove(): Promise<void> {
    await this.handle.stop();
  }
}

/** Text from lines, so that tests can count them. */
export const lines = (...l: string[]): string => `${l.join('\n')}\n`;
