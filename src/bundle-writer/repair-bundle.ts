/**
 * `bundle repair`: rebuild the one missing or damaged part of a bundle in
 * parts from its parity part (parity.ts), and prove it by its sha256.
 * Every part is checked against the parity header first; nothing is
 * written when all match, and nothing when more than one does not.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileSha256 } from '../content/file-sha256.js';
import { BmpackError } from '../errors.js';
import { wholeName } from './checksum-sidecar.js';
import {
  closeAll,
  decodeHeader,
  openAll,
  parityHeaderSize,
  parityPath,
  writeTemp,
  xorAt,
  type ParityPart,
  type PositionalReader,
} from './parity.js';

export interface RepairResult {
  readonly bundle: string;
  readonly parts: number;
  /** The part rebuilt, or undefined when every part was whole. */
  readonly repaired?: string;
}

const piece = 4 * 1024 * 1024;

export async function repairBundle(o: { readonly path: string }): Promise<RepairResult> {
  const bundle = wholeName(o.path);
  const dir = dirname(bundle);
  const parity = parityPath(bundle);
  const [fh] = await openAll([parity]);
  if (fh === undefined) throw new Error('no parity handle');
  let header;
  try {
    const head = Buffer.alloc(parityHeaderSize);
    await fh.read(head, 0, parityHeaderSize, 0);
    header = decodeHeader(head, parity);
  } finally {
    await fh.close();
  }
  const bad: ParityPart[] = [];
  for (const p of header.parts) if (!(await partIsWhole(join(dir, p.name), p))) bad.push(p);
  const [target, ...more] = bad;
  if (target === undefined) return { bundle, parts: header.parts.length };
  if (more.length > 0) {
    throw new BmpackError(
      'E_BUNDLE_INVALID',
      `${bad.length} parts are missing or damaged (${bad.map((p) => p.name).join(', ')}): one parity part rebuilds one`,
      { hint: 'Copy all but one of them again from the original media, then repair the last.' },
    );
  }
  await rebuild(dir, parity, header.partSize, header.parts, target);
  return { bundle, parts: header.parts.length, repaired: join(dir, target.name) };
}

async function partIsWhole(path: string, p: ParityPart): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size !== p.size) return false;
  return (await fileSha256(path, undefined, true)) === p.sha256;
}

async function rebuild(
  dir: string,
  parity: string,
  partSize: number,
  parts: readonly ParityPart[],
  target: ParityPart,
): Promise<void> {
  const others = parts.filter((p) => p !== target).map((p) => join(dir, p.name));
  const inputs = await openAll([...others, parity]);
  const parityHandle = inputs[inputs.length - 1];
  const readers: PositionalReader[] = inputs.slice(0, -1);
  if (parityHandle !== undefined)
    readers.push({
      read: (buf, off, len, pos) => parityHandle.read(buf, off, len, pos + parityHeaderSize),
    });
  const path = join(dir, target.name);
  const hash = createHash('sha256');
  try {
    await writeTemp(path, async (out) => {
      for (let at = 0; at < target.size; at += piece) {
        const block = await xorAt(readers, at, Math.min(piece, target.size - at, partSize - at));
        hash.update(block);
        await out.write(block);
      }
      const got = hash.digest('hex');
      if (got !== target.sha256) {
        throw new BmpackError(
          'E_DIGEST_MISMATCH',
          `${target.name} rebuilt from ${parity} hashes to ${got}, not ${target.sha256}: the parity part or another part is damaged too`,
          { hint: 'Copy the parity part and the other parts again from the original media.' },
        );
      }
    });
  } finally {
    await closeAll(inputs);
  }
}
