/**
 * Stream Footer (xz-file-format 1.0.4 §2.1.2): CRC32, Backward Size (the
 * Index size in four-byte units, minus one), a copy of the Stream Flags and
 * the magic "YZ"; twelve bytes in all. It is what lets a reader find the
 * Index from the end of the file without reading the Blocks.
 */
import { crc32 } from 'node:zlib';
import { XzFormatError } from './format-error.js';
import { parseStreamFlags, writeStreamFlags } from './stream-flags.js';

/** Size of the Stream Footer. */
export const STREAM_FOOTER_SIZE = 12;

/** Footer Magic Bytes (§2.1.2.4): "YZ". */
export const FOOTER_MAGIC: readonly number[] = [0x59, 0x5a];

/** Largest Index the 32-bit Backward Size can describe (§2.1: 16 GiB). */
export const INDEX_SIZE_MAX = 2 ** 34;

/** The Stream Footer of a stream whose Index is `indexSize` bytes. */
export function encodeStreamFooter(checkType: number, indexSize: number): Uint8Array {
  if (!Number.isSafeInteger(indexSize) || indexSize < 8 || indexSize % 4 !== 0) {
    throw new RangeError(`xz index size ${indexSize} is not a multiple of four of at least 8`);
  }
  if (indexSize > INDEX_SIZE_MAX)
    throw new RangeError(`xz index size ${indexSize} is above 16 GiB`);
  const out = new Uint8Array(STREAM_FOOTER_SIZE);
  const view = new DataView(out.buffer);
  // §2.1.2.2: real_backward_size = (stored_backward_size + 1) * 4.
  view.setUint32(4, indexSize / 4 - 1, true);
  writeStreamFlags(checkType, out, 8);
  out.set(FOOTER_MAGIC, 10);
  // §2.1.2.1: the CRC32 covers Backward Size and Stream Flags.
  view.setUint32(0, crc32(out.subarray(4, 10)), true);
  return out;
}

/** What a Stream Footer says. */
export interface StreamFooter {
  checkType: number;
  /** Size of the Index field in bytes (the decoded Backward Size). */
  indexSize: number;
}

/** Parses the twelve bytes of a Stream Footer: magic, then CRC32, then flags. */
export function parseStreamFooter(bytes: Uint8Array): StreamFooter {
  if (bytes.length < STREAM_FOOTER_SIZE) throw new XzFormatError('stream footer cut short');
  if (bytes[10] !== FOOTER_MAGIC[0] || bytes[11] !== FOOTER_MAGIC[1]) {
    throw new XzFormatError('no xz stream footer magic (the file is truncated or not .xz)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, STREAM_FOOTER_SIZE);
  if (crc32(bytes.subarray(4, 10)) !== view.getUint32(0, true)) {
    throw new XzFormatError('stream footer CRC32 mismatch');
  }
  return {
    checkType: parseStreamFlags(bytes, 8),
    indexSize: (view.getUint32(4, true) + 1) * 4,
  };
}
