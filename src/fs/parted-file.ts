/**
 * Parts of one file, read as the file (issue: removable media). Parts are
 * `BASE.001`, `BASE.002`, … in order, with no gap; every part but the last
 * has the same size, as `split -b` and `bundle split` write them, so a
 * short or missing part is found when the parts are opened, and named.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { BmpackError } from '../errors.js';
import { ioError } from './atomic-file.js';

const partName = (base: string, n: number): string => `${base}.${String(n).padStart(3, '0')}`;

/** The parts `path` names (`BASE.001` or `BASE` when only parts exist), or undefined for one file. */
export async function findParts(path: string): Promise<string[] | undefined> {
  const numbered = /^(.*)\.001$/.exec(path);
  if (numbered === null && (await isFile(path))) return undefined;
  const base = numbered?.[1] ?? path;
  if (!(await isFile(partName(base, 1)))) return undefined;
  const parts: string[] = [];
  for (let n = 1; await isFile(partName(base, n)); n++) parts.push(partName(base, n));
  // A gap: a later part exists after a missing one.
  for (let n = parts.length + 2; n <= parts.length + 9; n++) {
    if (await isFile(partName(base, n))) throw missingPart(partName(base, parts.length + 1));
  }
  return parts;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function missingPart(name: string): BmpackError {
  return new BmpackError('E_BUNDLE_INVALID', `part ${name} is missing (later parts exist)`, {
    hint: 'Copy the missing part from the original media; with a parity part, bmpack bundle repair rebuilds it.',
    details: { file: name },
  });
}

export class PartedFile {
  private constructor(
    private readonly handles: FileHandle[],
    private readonly names: readonly string[],
    /** Start of each part in the whole, and the whole's size last. */
    private readonly starts: readonly number[],
  ) {}

  static async open(names: readonly string[]): Promise<PartedFile> {
    const handles: FileHandle[] = [];
    try {
      const starts = [0];
      let partSize = 0;
      for (const [i, name] of names.entries()) {
        const fh = await open(name, 'r').catch((err: unknown) => {
          throw ioError(err, name, 'open');
        });
        handles.push(fh);
        const { size } = await fh.stat();
        if (i === 0) partSize = size;
        else if (i < names.length - 1 && size !== partSize) throw shortPart(name, size, partSize);
        if (i === names.length - 1 && i > 0 && size > partSize)
          throw shortPart(name, size, partSize);
        starts.push((starts.at(-1) ?? 0) + size);
      }
      return new PartedFile(handles, names, starts);
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      throw err;
    }
  }

  stat(): Promise<{ size: number }> {
    return Promise.resolve({ size: this.starts.at(-1) ?? 0 });
  }

  async read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }> {
    let done = 0;
    while (done < length) {
      const at = position + done;
      const i = this.partAt(at);
      if (i === undefined) break;
      const start = this.starts[i] ?? 0;
      const end = this.starts[i + 1] ?? start;
      const want = Math.min(length - done, end - at);
      const { bytesRead } = await this.part(i)
        .read(buffer, offset + done, want, at - start)
        .catch((err: unknown) => {
          throw ioError(err, this.names[i] ?? '', 'read');
        });
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { bytesRead: done };
  }

  async readv(
    buffers: readonly NodeJS.ArrayBufferView[],
    position: number,
  ): Promise<{ bytesRead: number }> {
    let done = 0;
    for (const b of buffers) {
      const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      const { bytesRead } = await this.read(view, 0, view.length, position + done);
      done += bytesRead;
      if (bytesRead < view.length) break;
    }
    return { bytesRead: done };
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close()));
  }

  /** The part holding byte `at` of the whole (binary search), or undefined past the end. */
  private partAt(at: number): number | undefined {
    let lo = 0;
    let hi = this.handles.length - 1;
    if (at >= (this.starts.at(-1) ?? 0)) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private part(i: number): FileHandle {
    const h = this.handles[i];
    if (h === undefined) throw new Error(`no part ${i}`);
    return h;
  }
}

function shortPart(name: string, size: number, expected: number): BmpackError {
  return new BmpackError(
    'E_BUNDLE_INVALID',
    `part ${name} is ${size} bytes where the parts before it are ${expected}: it is damaged or cut short`,
    {
      hint: 'Copy the part again from the original media (bmpack bundle verify checks every part against the .sha256 sidecar).',
      details: { file: name },
    },
  );
}
