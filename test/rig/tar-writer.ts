/**
 * A minimal tar writer for deterministic test layers, on bmpack's own tar
 * codec (src/bundle-format): fixed owner "root", mode and mtime, so the same
 * entries always give the same bytes (the `tar` package stamps real mtimes
 * and may add PAX headers).
 */
import { encodeTarHeader, tarPadding, tarTrailerSize } from '../../src/bundle-format/index.js';

/** One tar entry: a directory (no data) or a regular file. */
export interface TarEntry {
  /** Path inside the archive, at most 100 bytes; directories end with `/`. */
  name: string;
  data?: Buffer;
}

/** Serialises entries into an uncompressed tar archive. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.name.endsWith('/');
    const data = isDir ? undefined : entry.data;
    const size = data?.length ?? 0;
    const type = isDir ? 'directory' : 'file';
    // mtime: the epoch, for reproducibility.
    parts.push(encodeTarHeader({ path: entry.name, size, type, mtime: 0, owner: 'root' }));
    if (data !== undefined && size > 0) {
      parts.push(data);
      const pad = tarPadding(size);
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(tarTrailerSize)); // end-of-archive marker
  return Buffer.concat(parts);
}
