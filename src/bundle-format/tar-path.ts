/**
 * Entry paths as the archive's table keys them: relative, `/`-separated,
 * without `./` prefixes (`tar -cf - -C DIR .` writes `./index.json`) or a
 * trailing `/`. Absolute paths and `..` components are refused outright:
 * bmpack never extracts, but a path that climbs out of the archive is a sign
 * of a hostile or broken file, and refusing it keeps every lookup inside
 * the archive. Pure.
 */
import { ArchiveFormatError } from './format-error.js';

/**
 * The normalised form of `raw`, or '' for the archive root (`.`, `./`).
 *
 * @throws ArchiveFormatError for absolute paths, `..` components and NUL bytes.
 */
export function normalizeTarPath(raw: string): string {
  if (raw.startsWith('/')) throw new ArchiveFormatError(`absolute path ${JSON.stringify(raw)}`);
  if (raw.includes('\0')) throw new ArchiveFormatError(`path with a NUL byte`);
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      throw new ArchiveFormatError(`path ${JSON.stringify(raw)} climbs out of the archive`);
    }
    parts.push(part);
  }
  return parts.join('/');
}

/**
 * The target of a symbolic link at `path`, as an archive path; undefined
 * when it points outside the archive (absolute, or too many `..`).
 */
export function resolveLinkTarget(path: string, target: string): string | undefined {
  if (target.startsWith('/')) return undefined;
  const parts = path.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
