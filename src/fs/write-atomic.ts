/** Small files (checksums, mirror configuration) written whole or not at all. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { commitTemp, discardTemp, ioError, tempPathFor } from './atomic-file.js';

/** Writes `data` to `path` through a temporary file and a rename; makes missing folders. */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  mode = 0o644,
): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw ioError(err, dirname(path), 'create the folder');
  }
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, data, { mode });
  } catch (err) {
    await discardTemp(temp);
    throw ioError(err, path, 'write');
  }
  await commitTemp(temp, path);
}

/** Reads a local file, failing with E_IO and a hint by errno. */
export async function readLocalFile(path: string, what = 'read'): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw ioError(err, path, what);
  }
}
