/**
 * The sha256 of a whole file, read in large pieces into one reused buffer:
 * the hash consumes each piece before the next read, so nothing is copied.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { openBundleFile } from '../fs/bundle-file.js';
import { ioError } from '../fs/atomic-file.js';

const piece = 4 * 1024 * 1024;

/**
 * Lowercase hex sha256 of the file at `path` (of a whole bundle in parts,
 * unless `onePart`: then of that one file); `onBytes` hears of every piece hashed.
 */
export async function fileSha256(
  path: string,
  onBytes?: (n: number) => void,
  onePart = false,
): Promise<string> {
  const hash = createHash('sha256');
  let fh;
  try {
    fh = onePart ? await open(path, 'r') : await openBundleFile(path);
  } catch (err) {
    throw ioError(err, path, 'open');
  }
  try {
    const buf = Buffer.allocUnsafe(piece);
    for (let at = 0; ;) {
      const { bytesRead } = await fh.read(buf, 0, piece, at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
      onBytes?.(bytesRead);
    }
  } catch (err) {
    throw ioError(err, path, 'read');
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
