/**
 * Decodes one Block located by the Index (xz-file-format 1.0.4 §3) and
 * yields a slice of its uncompressed data, verifying the whole Block: Block
 * Header CRC32 and sizes against the Index Record, the LZMA2 data, the null
 * Block Padding and the Check. The Check covers all of the Block, so the
 * whole Block is decoded even when only a slice is wanted, and the last piece
 * is only followed by the end of the stream once the Check has matched.
 *
 * Blocks of stored LZMA2 chunks are decoded here, by reading the chunk
 * headers and passing the data through without a copy: ours (every chunk
 * full but the last) a megabyte per read (canonical-stored-block.ts), others
 * chunk by chunk. A Block with
 * LZMA-compressed chunks (from xz-utils and others) goes to xz-embedded.
 */
import type { BundleFile } from '../fs/bundle-file.js';
import {
  blockHeaderSizeFromFirstByte,
  parseBlockHeader,
  type BlockHeader,
} from './block-header.js';
import { createBlockCheck, type BlockCheck } from './block-check.js';
import { checkName, checkSize } from './check-type.js';
import { decodeWithXzEmbedded } from './embedded-block-decoder.js';
import { decodeWithXzTool, xzTool } from './xz-tool-decoder.js';
import { hasCanonicalStoredSize, readCanonicalStoredBlock } from './canonical-stored-block.js';
import { FileWindow } from './file-window.js';
import { XzFormatError } from './format-error.js';
import { LZMA2_FILTER_ID, lzma2DictionarySize } from './lzma2-filter.js';
import {
  LZMA2_CONTROL_END,
  LZMA2_CONTROL_LZMA_MIN,
  LZMA2_CONTROL_STORED,
  LZMA2_CONTROL_STORED_RESET,
  STORED_CHUNK_HEADER_SIZE,
} from './lzma2-stored-chunks.js';
import { xzInvalid } from './xz-errors.js';
import type { XzBlockInfo } from './xz-layout.js';

/** Bytes read from the file at a time for stored Blocks. */
const WINDOW = 1024 * 1024;

/**
 * The uncompressed bytes [from, to) of `block` (offsets within the Block).
 *
 * @throws BmpackError E_XZ_INVALID naming the file and the Block's offset
 *   when anything in the Block disagrees with the format or the Index.
 */
export async function* decodeBlock(
  fh: BundleFile,
  path: string,
  block: XzBlockInfo,
  from: number,
  to: number,
  checks = true,
  /** The file is one Stream holding only this Block: `xz` may decode it (xz-tool-decoder.ts). */
  wholeFile = false,
): AsyncGenerator<Uint8Array> {
  try {
    yield* decode(fh, path, block, from, to, checks, wholeFile);
  } catch (err) {
    // Only format errors are ours to name; E_IO and errors thrown into the
    // generator by its consumer pass unchanged.
    throw err instanceof XzFormatError ? xzInvalid(path, err, block.compressedOffset) : err;
  }
}

const noCheck: BlockCheck = { update: () => undefined, digest: () => new Uint8Array(0) };

interface Located {
  header: BlockHeader;
  compressedSize: number;
}

async function locate(window: FileWindow, block: XzBlockInfo): Promise<Located> {
  const headerSize = blockHeaderSizeFromFirstByte((await window.peek(1))[0] ?? 0);
  if (headerSize === 0) {
    throw new XzFormatError('the index indicator stands where the index says a block starts');
  }
  const header = parseBlockHeader(await window.peek(headerSize));
  window.skip(headerSize);
  // §4.3.1: Unpadded Size = Block Header + Compressed Data + Check.
  const compressedSize = block.unpaddedSize - headerSize - checkSize(block.checkType);
  if (compressedSize < 1) throw new XzFormatError('the index gives the block no room for its data');
  if (header.compressedSize !== undefined && header.compressedSize !== compressedSize) {
    throw new XzFormatError(
      `block header says ${header.compressedSize} compressed bytes, the index ${compressedSize}`,
    );
  }
  if (header.uncompressedSize !== undefined && header.uncompressedSize !== block.uncompressedSize) {
    throw new XzFormatError(
      `block header says ${header.uncompressedSize} uncompressed bytes, the index ${block.uncompressedSize}`,
    );
  }
  return { header, compressedSize };
}

async function* decode(
  fh: BundleFile,
  path: string,
  block: XzBlockInfo,
  from: number,
  to: number,
  checks: boolean,
  wholeFile: boolean,
): AsyncGenerator<Uint8Array> {
  const start = block.compressedOffset;
  const window = new FileWindow(fh, path, start, start + block.totalSize, WINDOW);
  const { header, compressedSize } = await locate(window, block);
  const dataEnd = window.position + compressedSize;
  const filter = header.filters.length === 1 ? header.filters[0] : undefined;
  const onlyLzma2 = filter?.id === LZMA2_FILTER_ID;
  if (onlyLzma2) {
    // §5.3.1: one property byte; the dictionary size matters only to LZMA chunks.
    if (filter.properties.length !== 1) {
      throw new XzFormatError('LZMA2 filter without one property byte');
    }
    lzma2DictionarySize(filter.properties[0] ?? 0);
  }
  let emitted = from;
  if (onlyLzma2 && hasCanonicalStoredSize(block.uncompressedSize, compressedSize)) {
    const check = checks ? createBlockCheck(block.checkType) : undefined;
    const reached = yield* readCanonicalStoredBlock({
      fh,
      path,
      dataStart: window.position,
      uncompressedSize: block.uncompressedSize,
      from,
      to,
      ...(check !== undefined ? { check } : {}),
    });
    if (reached === 'end') {
      if (check !== undefined) await verifyTail(tailWindow(fh, path, block, dataEnd), block, check);
      return;
    }
    emitted = Math.max(from, Math.min(reached, to));
  } else if (onlyLzma2 && (await window.peek(1))[0] === LZMA2_CONTROL_STORED_RESET) {
    // Without checks (a consumer that hashes every byte itself), the CRC is skipped.
    const check = checks ? createBlockCheck(block.checkType) : noCheck;
    const reached = yield* storedChunks(window, dataEnd, block, check, from, to);
    if (reached === 'end') {
      if (checks) await verifyTail(window, block, check);
      return;
    }
    // An LZMA chunk after stored ones: decode the Block again from its start,
    // emitting only what was not emitted yet.
    emitted = Math.max(from, Math.min(reached, to));
  }
  const tool = wholeFile ? xzTool() : null;
  // Without checks (a consumer that hashes every byte itself), the Check is
  // skipped here too; `xz` verifies it itself.
  const check = checks && tool === null ? createBlockCheck(block.checkType) : noCheck;
  let produced = 0;
  const pieces =
    tool !== null
      ? decodeWithXzTool(tool, fh, block.uncompressedSize)
      : decodeWithXzEmbedded({
          fh,
          path,
          offset: start,
          headerSize: header.size,
          compressedSize,
          uncompressedSize: block.uncompressedSize,
        });
  for await (const piece of pieces) {
    check.update(piece);
    const slice = overlap(piece, produced, emitted, to);
    produced += piece.length;
    // An xz bomb: stop at the first byte past what the Index claims, not at the Block's end.
    if (produced > block.uncompressedSize) {
      throw new XzFormatError(
        `block holds more than the ${block.uncompressedSize} bytes the index says`,
      );
    }
    if (slice !== undefined) yield slice;
  }
  if (produced !== block.uncompressedSize) {
    throw new XzFormatError(
      `block holds ${produced} bytes, the index says ${block.uncompressedSize}`,
    );
  }
  if (checks && tool === null) await verifyTail(tailWindow(fh, path, block, dataEnd), block, check);
}

/** Block Padding and Check, which follow the LZMA2 data (§3.3, §3.4). */
function tailWindow(fh: BundleFile, path: string, block: XzBlockInfo, dataEnd: number): FileWindow {
  return new FileWindow(fh, path, dataEnd, block.compressedOffset + block.totalSize, 128);
}

/**
 * Stored chunks until the end marker; returns 'end' there, or how many
 * bytes were produced when an LZMA chunk shows up instead.
 */
async function* storedChunks(
  window: FileWindow,
  dataEnd: number,
  block: XzBlockInfo,
  check: BlockCheck,
  from: number,
  to: number,
): AsyncGenerator<Uint8Array, 'end' | number> {
  let produced = 0;
  let first = true;
  for (;;) {
    if (window.position >= dataEnd) throw new XzFormatError('LZMA2 data has no end marker');
    const control = (await window.peek(1))[0] ?? 0;
    if (control === LZMA2_CONTROL_END) {
      window.skip(1);
      break;
    }
    if (control >= LZMA2_CONTROL_LZMA_MIN) return produced;
    // liblzma and xz-embedded: the first chunk must reset the dictionary.
    if (control !== LZMA2_CONTROL_STORED_RESET && (first || control !== LZMA2_CONTROL_STORED)) {
      throw new XzFormatError(
        `invalid LZMA2 control byte 0x${control.toString(16).padStart(2, '0')}`,
      );
    }
    first = false;
    const head = await window.takeExactly(STORED_CHUNK_HEADER_SIZE);
    let left = (((head[1] ?? 0) << 8) | (head[2] ?? 0)) + 1;
    if (window.position + left > dataEnd)
      throw new XzFormatError('LZMA2 chunk runs past the compressed size');
    if (produced + left > block.uncompressedSize) {
      throw new XzFormatError(
        `block holds more than the ${block.uncompressedSize} bytes the index says`,
      );
    }
    while (left > 0) {
      const piece = await window.take(left);
      check.update(piece);
      const slice = overlap(piece, produced, from, to);
      produced += piece.length;
      left -= piece.length;
      if (slice !== undefined) yield slice;
    }
  }
  if (window.position !== dataEnd)
    throw new XzFormatError('LZMA2 data ends before the compressed size');
  if (produced !== block.uncompressedSize) {
    throw new XzFormatError(
      `block holds ${produced} bytes, the index says ${block.uncompressedSize}`,
    );
  }
  return 'end';
}

/** Block Padding must be null (§3.3); the Check must match the data (§3.4). */
async function verifyTail(
  window: FileWindow,
  block: XzBlockInfo,
  check: BlockCheck,
): Promise<void> {
  const paddingSize = block.totalSize - block.unpaddedSize;
  const size = checkSize(block.checkType);
  const tail = await window.takeExactly(paddingSize + size);
  for (let i = 0; i < paddingSize; i++) {
    if (tail[i] !== 0) throw new XzFormatError('block padding is not null');
  }
  if (!tail.subarray(paddingSize).equals(check.digest())) {
    throw new XzFormatError(`${checkName(block.checkType)} mismatch: the block's data is corrupt`);
  }
}

/** The part of `piece` (which starts at `produced` in the Block) inside [from, to). */
function overlap(
  piece: Uint8Array,
  produced: number,
  from: number,
  to: number,
): Uint8Array | undefined {
  const lo = Math.max(from - produced, 0);
  const hi = Math.min(to - produced, piece.length);
  return hi > lo ? piece.subarray(lo, hi) : undefined;
}
