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
  /** For a bundle in parts: each part's name (no folder) and sha256, in order. */
  readonly parts?: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
  /** Lowercase hex sha256, or undefined when the line is not sha256sum's. */
  readonly sha256?: string;
  /** The file name the line names. */
  readonly name?: string;
  /** True when the line is well formed and names the bundle it sits beside. */
  readonly consistent: boolean;
}

/** The whole bundle's name for a bundle named by its first part (`X.tar.xz.001` → `X.tar.xz`). */
export function wholeName(bundle: string): string {
  return bundle.replace(/\.001$/, '');
}

export function sidecarPath(bundle: string): string {
  return `${wholeName(bundle)}.sha256`;
}

/**
 * Write `<bundle>.sha256` as sha256sum does: "<hex>  <file name>\n"; for a
 * bundle in parts, a line for each part, then the whole's (`sha256sum -c
 * --ignore-missing` checks the parts).
 */
export async function writeSidecar(
  bundle: string,
  sha256: string,
  parts: ReadonlyArray<{ readonly name: string; readonly sha256: string }> = [],
): Promise<void> {
  const lines = [...parts.map((p) => `${p.sha256}  ${p.name}`), `${sha256}  ${basename(bundle)}`];
  await writeFileAtomic(sidecarPath(bundle), `${lines.join('\n')}\n`);
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
  const whole = basename(wholeName(bundle));
  const lines = text.split('\n').filter((l) => l !== '');
  const parsed = lines.map((l) => /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(l));
  const last = parsed.at(-1);
  if (last == null || parsed.some((m) => m === null)) return { path, consistent: false };
  const parts = parsed.slice(0, -1).map((m) => ({
    name: m?.[2] ?? '',
    sha256: (m?.[1] ?? '').toLowerCase(),
  }));
  const sha256 = (last[1] ?? '').toLowerCase();
  const name = last[2] ?? '';
  return {
    path,
    sha256,
    name,
    consistent: name === whole,
    ...(parts.length > 0 ? { parts } : {}),
  };
}
