/**
 * `bundle split`: a bundle cut into parts `NAME.001`, `NAME.002`, … of one
 * size (the last smaller), for media that take no file over 4 GiB (FAT32)
 * or for copying one part at a time. The concatenation of the parts is the
 * bundle byte for byte (`cat NAME.0* > NAME` restores it, with the same
 * sha256), and every reader takes the first part or the base name and
 * reads across parts in place (src/fs/parted-file.ts). The `.sha256`
 * sidecar lists each part, then the whole. Each part is written under a
 * temporary name, synced and renamed: an interrupted split leaves no part
 * half-written under its name.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { commitTemp, discardTemp, ioError, tempPathFor } from '../fs/atomic-file.js';
import { writeSidecar } from './checksum-sidecar.js';
import { writeParity } from './parity.js';

export interface SplitBundleOptions {
  readonly path: string;
  /** Bytes per part (the last may be smaller). */
  readonly partSize: number;
  /** Remove the whole file once every part and the sidecar are in place. */
  readonly removeWhole?: boolean;
  /** Also write NAME.parity, from which any one part can be rebuilt (parity.ts). */
  readonly parity?: boolean;
  readonly onEvent?: ProgressListener;
}

export interface SplitPart {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface SplitBundleResult {
  readonly bundle: string;
  readonly sha256: string;
  readonly parts: readonly SplitPart[];
  /** With parity: the parity part. */
  readonly parity?: { readonly path: string; readonly sha256: string };
}

/** Small enough to be a mistake, and under a tar block. */
const smallestPart = 1024 * 1024;

/** Fails with E_USAGE for a part size that is not one (checked before a long create). */
export function checkPartSize(partSize: number): void {
  if (!Number.isSafeInteger(partSize) || partSize < smallestPart) {
    throw new BmpackError('E_USAGE', `a part size of ${partSize} bytes is too small`, {
      hint: 'Give at least 1 MiB; for FAT32 media 4000M keeps every part under 4 GiB.',
      reason: 'split-size-invalid',
    });
  }
}

export async function splitBundle(o: SplitBundleOptions): Promise<SplitBundleResult> {
  checkPartSize(o.partSize);
  const src = await open(o.path, 'r').catch((err: unknown) => {
    throw ioError(err, o.path, 'open');
  });
  try {
    const size = (await src.stat()).size;
    o.onEvent?.({ type: 'bytes-total', phase: 'split', total: size });
    const whole = createHash('sha256');
    const parts: SplitPart[] = [];
    for (let start = 0, n = 1; start < size || n === 1; start += o.partSize, n++) {
      const length = Math.min(o.partSize, size - start);
      const path = `${o.path}.${String(n).padStart(3, '0')}`;
      parts.push(await writePart(src, start, length, path, whole, o.onEvent));
    }
    const sha256 = whole.digest('hex');
    const named = parts.map((p) => ({ ...p, name: basename(p.path) }));
    const parity = o.parity === true ? await writeParity(o.path, o.partSize, named) : undefined;
    const lines = [
      ...named,
      ...(parity !== undefined ? [{ name: basename(parity.path), sha256: parity.sha256 }] : []),
    ];
    await writeSidecar(o.path, sha256, lines);
    if (o.removeWhole === true) await rm(o.path);
    return { bundle: o.path, sha256, parts, ...(parity !== undefined ? { parity } : {}) };
  } finally {
    await src.close();
  }
}

async function writePart(
  src: FileHandle,
  start: number,
  length: number,
  path: string,
  whole: Hash,
  onEvent: ProgressListener | undefined,
): Promise<SplitPart> {
  const temp = tempPathFor(path);
  const hash = createHash('sha256');
  const out = await open(temp, 'wx').catch((err: unknown) => {
    throw ioError(err, temp, 'create');
  });
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let done = 0; done < length;) {
      const { bytesRead } = await src.read(
        buf,
        0,
        Math.min(buf.length, length - done),
        start + done,
      );
      if (bytesRead === 0) throw ioError(new Error('the file ended early'), path, 'read');
      const piece = buf.subarray(0, bytesRead);
      hash.update(piece);
      whole.update(piece);
      await out.write(piece);
      done += bytesRead;
      onEvent?.({ type: 'bytes', phase: 'split', n: bytesRead });
    }
    await out.sync();
    await out.close();
  } catch (err) {
    await out.close().catch(() => undefined);
    await discardTemp(temp);
    throw err instanceof BmpackError ? err : ioError(err, path, 'write');
  }
  await commitTemp(temp, path);
  return { path, size: length, sha256: hash.digest('hex') };
}
