/**
 * Hostile inputs for the reliability tests, built by hand where no tool
 * writes such a thing: an xz bomb (an .xz whose Index claims a few KiB but
 * whose one Block decodes to gigabytes of zeros), and tars of OCI layouts
 * with one hostile detail each.
 */
import { createHash } from 'node:crypto';
import { encodeTarHeader, sealTarHeader } from '../../src/bundle-format/index.js';
import { encodeBlockHeader } from '../../src/xz/block-header.js';
import { CheckType } from '../../src/xz/check-type.js';
import { encodeIndex } from '../../src/xz/index-encoding.js';
import { LZMA2_FILTER_ID } from '../../src/xz/lzma2-filter.js';
import { encodeStreamFooter } from '../../src/xz/stream-footer.js';
import { encodeStreamHeader } from '../../src/xz/stream-header.js';
import { runTool } from '../rig/processes.js';
import { requireTool } from '../rig/tools.js';

export const xzTool = (): string => requireTool('xz', 'xz-utils');

interface Lzma2Chunk {
  readonly control: number;
  readonly uncompressed: number;
  readonly bytes: Buffer;
}

/** Splits raw LZMA2 data (xz --format=raw) into its chunks (xz-file-format §5.3.1, LZMA2 chunk headers). */
function lzma2Chunks(raw: Buffer): Lzma2Chunk[] {
  const out: Lzma2Chunk[] = [];
  let i = 0;
  for (;;) {
    const control = raw[i] ?? 0;
    if (control === 0) return out;
    const b = (k: number): number => raw[i + k] ?? 0;
    if (control >= 0x80) {
      const uncompressed = (((control & 0x1f) << 16) | (b(1) << 8) | b(2)) + 1;
      const compressed = ((b(3) << 8) | b(4)) + 1;
      const headerSize = control >= 0xc0 ? 6 : 5;
      out.push({ control, uncompressed, bytes: raw.subarray(i, i + headerSize + compressed) });
      i += headerSize + compressed;
    } else {
      const size = ((b(1) << 8) | b(2)) + 1;
      out.push({ control, uncompressed: size, bytes: raw.subarray(i, i + 3 + size) });
      i += 3 + size;
    }
  }
}

export interface ZeroChunks {
  /** The first LZMA chunk (dictionary and state reset, properties). */
  readonly first: Lzma2Chunk;
  /**
   * A chunk that xz-utils writes again and again once its model has settled
   * on zeros: repeating it keeps decoding to 2 MiB of zeros per ~300 bytes.
   */
  readonly repeat: Lzma2Chunk;
}

/** LZMA chunks of zeros, as xz-utils (preset 0) writes them. */
export async function zeroChunks(): Promise<ZeroChunks> {
  const raw = await runTool(xzTool(), ['--format=raw', '--lzma2=preset=0', '-c'], {
    input: Buffer.alloc(16 * 1024 * 1024),
  });
  const chunks = lzma2Chunks(raw);
  const first = chunks[0];
  const repeat = chunks[chunks.length - 2];
  const before = chunks[chunks.length - 3];
  if (first === undefined || repeat === undefined || before === undefined) {
    throw new Error(`xz wrote ${chunks.length} LZMA2 chunks for 16 MiB of zeros`);
  }
  if (!repeat.bytes.equals(before.bytes) || repeat.control >= 0xa0) {
    throw new Error('xz did not settle on one repeated LZMA2 chunk for zeros');
  }
  return { first, repeat };
}

export interface XzBombOptions {
  /** Bytes before the zeros, stored as one uncompressed LZMA2 chunk (a tar's head, say). At most 64 KiB. */
  readonly prefix: Buffer;
  /** The Block's uncompressed size the Index claims. */
  readonly claimed: number;
  /** How many repeated chunks of ~2 MiB of zeros follow (8192 ≈ 16 GiB). */
  readonly repeats: number;
}

/**
 * An .xz file of one Block, its header without sizes (as single-threaded
 * xz-utils writes it), whose Index Record claims `claimed` uncompressed bytes
 * while the Block decodes to `prefix` and then gigabytes of zeros. The Check
 * is never reached and left as zeros.
 */
export function xzBomb(zeros: ZeroChunks, o: XzBombOptions): { file: Buffer; expands: number } {
  if (o.prefix.length === 0 || o.prefix.length > 0x10000) throw new Error('xzBomb: bad prefix');
  const stored = Buffer.alloc(3);
  stored[0] = 0x01; // uncompressed chunk, dictionary reset
  stored.writeUInt16BE(o.prefix.length - 1, 1);
  const data = Buffer.concat([
    stored,
    o.prefix,
    zeros.first.bytes,
    ...Array.from({ length: o.repeats }, () => zeros.repeat.bytes),
    Buffer.from([0x00]),
  ]);
  const header = Buffer.from(
    encodeBlockHeader({ filters: [{ id: LZMA2_FILTER_ID, properties: Uint8Array.of(12) }] }),
  );
  const unpadded = header.length + data.length;
  const padding = Buffer.alloc((4 - (unpadded % 4)) % 4);
  const check = Buffer.alloc(4);
  const index = Buffer.from(
    encodeIndex([{ unpaddedSize: unpadded + check.length, uncompressedSize: o.claimed }]),
  );
  const file = Buffer.concat([
    Buffer.from(encodeStreamHeader(CheckType.Crc32)),
    header,
    data,
    padding,
    check,
    index,
    Buffer.from(encodeStreamFooter(CheckType.Crc32, index.length)),
  ]);
  const expands =
    o.prefix.length + zeros.first.uncompressed + o.repeats * zeros.repeat.uncompressed;
  return { file, expands };
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * One ustar header (512 bytes) of a regular file of `size` bytes, without
 * its data: the head of an entry that the rest of the archive does not hold.
 */
export function tarFileHeader(name: string, size: number): Buffer {
  return encodeTarHeader({ path: name, size, type: 'file', mtime: 0 });
}

/** Offsets of the ustar headers of a plain tar, walking the sizes as a reader would. */
export function tarHeaderOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let pos = 0; pos + 512 <= tar.length;) {
    if (tar.subarray(pos + 257, pos + 262).toString('latin1') !== 'ustar') break;
    out.push(pos);
    const size = parseInt(
      tar
        .subarray(pos + 124, pos + 136)
        .toString('latin1')
        .trim() || '0',
      8,
    );
    pos += 512 + Math.ceil((Number.isFinite(size) ? size : 0) / 512) * 512;
  }
  return out;
}

/** Rewrites fields of the ustar header at `offset` in place and fixes its checksum (so readers believe it). */
export function patchTarHeader(
  tar: Buffer,
  offset: number,
  fields: { name?: string; type?: string; linkName?: string; size?: number },
): void {
  const put = (at: number, length: number, value: string): void => {
    const bytes = Buffer.alloc(length);
    bytes.write(value, 'latin1');
    bytes.copy(tar, offset + at);
  };
  if (fields.name !== undefined) put(0, 100, fields.name);
  if (fields.size !== undefined) put(124, 12, `${fields.size.toString(8).padStart(11, '0')}\0`);
  if (fields.type !== undefined) put(156, 1, fields.type);
  if (fields.linkName !== undefined) put(157, 100, fields.linkName);
  sealTarHeader(tar, offset);
}
