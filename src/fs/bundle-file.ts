/**
 * A bundle on disk, read by position: one file, or the parts
 * `NAME.001`, `NAME.002`, … that `bundle split` (or `split -b`, or a
 * FAT32 copy) made of it, read across parts in place as if they were
 * still one file (parted-file.ts). Readers open bundles through here and
 * use only these methods, so every reader takes parts without knowing.
 */
import { open, stat } from 'node:fs/promises';
import { findParts, PartedFile } from './parted-file.js';

export interface BundleFile {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  readv(
    buffers: readonly NodeJS.ArrayBufferView[],
    position: number,
  ): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
  /** The descriptor of a single file (a child process may read it); undefined for parts. */
  readonly fd?: number;
}

/** Opens `path` (a file, a first part `NAME.001`, or the base name of parts). */
export async function openBundleFile(path: string): Promise<BundleFile> {
  const parts = await findParts(path);
  if (parts === undefined) return open(path, 'r');
  return PartedFile.open(parts);
}

/** Whether `path` names a bundle: a file, or parts (`path.001` …, or `path` itself is `.001`). */
export async function bundleExists(path: string): Promise<boolean> {
  try {
    return (await findParts(path)) !== undefined || (await stat(path)).isFile();
  } catch {
    return false;
  }
}
