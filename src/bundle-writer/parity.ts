/**
 * One parity part for a bundle in parts (RAID-4's XOR): byte i of the
 * parity is the XOR of byte i of every part, a shorter last part counting
 * as zeros past its end. With every part but one, the missing one is the
 * XOR of the parity and the others, cut to its size. It rebuilds exactly
 * one missing or damaged part; two or more, or a damaged parity part with
 * a damaged part, cannot be rebuilt (docs/bundle-format.md §7).
 *
 * `NAME.parity` starts with a 4 KiB header — JSON, space-padded — giving
 * the part size and each part's name, size and sha256, so that a repair
 * knows what to check and what to rebuild without the sidecar.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { BmpackError } from '../errors.js';
import type { BundleFile } from '../fs/bundle-file.js';
import { commitTemp, discardTemp, ioError, tempPathFor } from '../fs/atomic-file.js';

export const parityHeaderSize = 4096;
const piece = 4 * 1024 * 1024;

export interface ParityPart {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ParityHeader {
  readonly bmpackParity: 1;
  readonly partSize: number;
  readonly parts: readonly ParityPart[];
}

export function parityPath(bundle: string): string {
  return `${bundle}.parity`;
}

/** Write `bundle.parity` for `parts` (paths, in order); returns its path and sha256. */
export async function writeParity(
  bundle: string,
  partSize: number,
  parts: ReadonlyArray<ParityPart & { readonly path: string }>,
): Promise<{ path: string; sha256: string }> {
  const header: ParityHeader = {
    bmpackParity: 1,
    partSize,
    parts: parts.map((p) => ({ name: p.name, size: p.size, sha256: p.sha256 })),
  };
  const path = parityPath(bundle);
  const hash = createHash('sha256');
  await writeTemp(path, async (out) => {
    const head = encodeHeader(header);
    hash.update(head);
    await out.write(head);
    const inputs = await openAll(parts.map((p) => p.path));
    try {
      for (let at = 0; at < partSize; at += piece) {
        const block = await xorAt(inputs, at, Math.min(piece, partSize - at));
        hash.update(block);
        await out.write(block);
      }
    } finally {
      await closeAll(inputs);
    }
  });
  return { path, sha256: hash.digest('hex') };
}

export function encodeHeader(h: ParityHeader): Buffer {
  const json = Buffer.from(`${JSON.stringify(h)}\n`);
  if (json.length > parityHeaderSize) {
    throw new BmpackError('E_USAGE', `too many parts for one parity header (${h.parts.length})`, {
      hint: 'Use larger parts (fewer of them).',
    });
  }
  return Buffer.concat([json, Buffer.alloc(parityHeaderSize - json.length, 0x20)]);
}

/** The header of a parity file's first 4 KiB, validated. */
export function decodeHeader(bytes: Buffer, file: string): ParityHeader {
  const fail = (what: string): never => {
    throw new BmpackError('E_BUNDLE_INVALID', `${file} is not a bmpack parity part: ${what}`, {
      hint: 'Copy the .parity file again from the original media.',
      details: { file },
    });
  };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8').trim());
  } catch {
    return fail('its header is not JSON');
  }
  if (typeof json !== 'object' || json === null) return fail('its header is not an object');
  const { bmpackParity, partSize, parts } = json as Record<string, unknown>;
  if (bmpackParity !== 1 || !Number.isSafeInteger(partSize) || !Array.isArray(parts))
    return fail('its header lacks bmpackParity, partSize or parts');
  return {
    bmpackParity: 1,
    partSize: partSize as number,
    parts: parts.map((p) => part(p) ?? fail('a part in its header is malformed')),
  };
}

function part(p: unknown): ParityPart | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const { name, size, sha256 } = p as Record<string, unknown>;
  const ok =
    typeof name === 'string' &&
    !name.includes('/') &&
    typeof size === 'number' &&
    Number.isSafeInteger(size) &&
    typeof sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(sha256);
  return ok ? { name, size, sha256 } : undefined;
}

/** What xorAt reads from: a part, or the parity's data past its header. */
export type PositionalReader = Pick<BundleFile, 'read'>;

/** XOR of `length` bytes at `at` of every input (zeros past an input's end). */
export async function xorAt(
  inputs: readonly PositionalReader[],
  at: number,
  length: number,
): Promise<Buffer> {
  const acc = Buffer.alloc(length);
  const buf = Buffer.alloc(length);
  // Word by word where both are aligned (fresh buffers of this size are), byte by byte for the tail.
  const words = Math.floor(length / 4);
  const accWords = new Uint32Array(
    acc.buffer,
    acc.byteOffset,
    acc.byteOffset % 4 === 0 ? words : 0,
  );
  const bufWords = new Uint32Array(
    buf.buffer,
    buf.byteOffset,
    buf.byteOffset % 4 === 0 ? words : 0,
  );
  for (const fh of inputs) {
    const { bytesRead } = await fh.read(buf, 0, length, at);
    buf.fill(0, bytesRead);
    for (let i = 0; i < accWords.length; i++) accWords[i] = (accWords[i] ?? 0) ^ (bufWords[i] ?? 0);
    for (let i = accWords.length * 4; i < length; i++) acc[i] = (acc[i] ?? 0) ^ (buf[i] ?? 0);
  }
  return acc;
}

export async function openAll(paths: readonly string[]): Promise<FileHandle[]> {
  const out: FileHandle[] = [];
  try {
    for (const p of paths) {
      out.push(
        await open(p, 'r').catch((err: unknown) => {
          throw ioError(err, p, 'open');
        }),
      );
    }
    return out;
  } catch (err) {
    await closeAll(out);
    throw err;
  }
}

export async function closeAll(handles: readonly FileHandle[]): Promise<void> {
  await Promise.all(handles.map((h) => h.close()));
}

/** Write `path` through `fill` under a temporary name, synced, then renamed. */
export async function writeTemp(
  path: string,
  fill: (out: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = tempPathFor(path);
  const out = await open(temp, 'wx').catch((err: unknown) => {
    throw ioError(err, temp, 'create');
  });
  try {
    await fill(out);
    await out.sync();
    await out.close();
  } catch (err) {
    await out.close().catch(() => undefined);
    await discardTemp(temp);
    throw err instanceof BmpackError ? err : ioError(err, basename(path), 'write');
  }
  await commitTemp(temp, path);
}
