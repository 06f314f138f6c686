/**
 * A runtime's tree as one tar, to carry onto nodes and unpack at `/`
 * (`tar -xpf mirror.tar -C /`): every folder, then its files, in sorted
 * order, owned by root, mtime 0, file modes as the tree says (0600 for
 * credentials), so that one input gives byte-identical archives. Written
 * with the one tar codec (bundle-format). Pure.
 */
import { posix } from 'node:path';
import { encodeTarHeader, tarPadding, tarTrailerSize } from '../bundle-format/index.js';
import type { TreeFile } from './runtime-tree.js';

function folders(files: readonly TreeFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = posix.dirname(f.path); d !== '.' && d !== '/'; d = posix.dirname(d)) dirs.add(d);
  }
  return [...dirs];
}

export function treeTar(files: readonly TreeFile[]): Buffer {
  const entries = [
    ...folders(files).map((d) => ({ path: `${d}/`, file: undefined })),
    ...files.map((f) => ({ path: f.path, file: f })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.file === undefined) {
      parts.push(
        encodeTarHeader({ path: e.path, size: 0, type: 'directory', mtime: 0, owner: 'root' }),
      );
      continue;
    }
    const body = Buffer.isBuffer(e.file.content) ? e.file.content : Buffer.from(e.file.content);
    parts.push(
      encodeTarHeader({
        path: e.path,
        size: body.length,
        type: 'file',
        mtime: 0,
        owner: 'root',
        mode: e.file.mode,
      }),
      body,
      Buffer.alloc(tarPadding(body.length)),
    );
  }
  parts.push(Buffer.alloc(tarTrailerSize));
  return Buffer.concat(parts);
}
