/**
 * Writing and reading `<bundle>.sha256` (docs/bundle-format.md §5): one line
 * `<hex>  <file name>`, as sha256sum writes it (a `*` before the name marks
 * sha256sum's binary mode and means the same). A delta takes its base's
 * checksum from here rather than hashing gigabytes again, and verify
 * compares it with the file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ioError } from '../fs/atomic-file.js';
import { writeFileAtomic } from '../fs/write-atomic.js';

export interface Sidecar {
  /** The sidecar's path. */
  readonly path: string;
  /** Lowercase hex sha256, or undefined when the line is not sha256sum's. */
  readonly sha256?: string;
  /** The file name the line names. */
  readonly name?: string;
  /** True when the line is well formed and names the bundle it sits beside. */
  readonly consistent: boolean;
}

export function sidecarPath(bundle: string): string {
  return `${bundle}.sha256`;
}

/** Write `<bundle>.sha256` as sha256sum does: "<hex>  <file name>\n". */
export async function writeSidecar(bundle: string, sha256: string): Promise<void> {
  await writeFileAtomic(sidecarPath(bundle), `${sha256}  ${basename(bundle)}\n`);
}

/** The sidecar of `bundle`, or undefined when there is none. */
export async function readSidecar(bundle: string): Promise<Sidecar | undefined> {
  const path = sidecarPath(bundle);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') {
      return undefined;
    }
    throw ioError(err, path, 'read');
  }
  const m = /^([0-9a-fA-F]{64}) [ *](.+)\n?$/.exec(text);
  if (m === null) return { path, consistent: false };
  const sha256 = (m[1] ?? '').toLowerCase();
  const name = m[2] ?? '';
  return { path, sha256, name, consistent: name === basename(bundle) };
}
