/**
 * The Index (xz-file-format 1.0.4 §4): Index Indicator 0x00, Number of
 * Records, one (Unpadded Size, Uncompressed Size) Record per Block, null
 * padding to a multiple of four, and a CRC32. Readers use it to find every
 * Block without decompressing anything.
 */
import { crc32 } from 'node:zlib';
import { XzFormatError } from './format-error.js';
import { decodeVli, vliSize, writeVli } from './vli.js';

/** Smallest valid Unpadded Size: "the actual minimum value ... is five" (§4.3.1). */
export const UNPADDED_SIZE_MIN = 5;

/** One Record of the Index (§4.3). */
export interface IndexRecord {
  /** Block Header + Compressed Data + Check, without Block Padding (§4.3.1). */
  unpaddedSize: number;
  uncompressedSize: number;
}

function unpaddedIndexSize(records: readonly IndexRecord[]): number {
  let size = 1 + vliSize(records.length);
  for (const r of records) size += vliSize(r.unpaddedSize) + vliSize(r.uncompressedSize);
  return size;
}

/** Size of the Index field for `records`, padding and CRC32 included. */
export function indexSize(records: readonly IndexRecord[]): number {
  return Math.ceil(unpaddedIndexSize(records) / 4) * 4 + 4;
}

/** Encodes the Index field for `records`. */
export function encodeIndex(records: readonly IndexRecord[]): Uint8Array {
  const size = indexSize(records);
  const out = new Uint8Array(size);
  let pos = 1; // out[0] is the Index Indicator, 0x00 (§4.1)
  pos += writeVli(records.length, out, pos);
  for (const r of records) {
    if (r.unpaddedSize < UNPADDED_SIZE_MIN) {
      throw new RangeError(`xz index: unpadded size ${r.unpaddedSize} below ${UNPADDED_SIZE_MIN}`);
    }
    pos += writeVli(r.unpaddedSize, out, pos);
    pos += writeVli(r.uncompressedSize, out, pos);
  }
  // Index Padding (§4.4) is already zero; the CRC32 covers everything before it (§4.5).
  new DataView(out.buffer).setUint32(size - 4, crc32(out.subarray(0, size - 4)), true);
  return out;
}

/**
 * Parses a whole Index field: `bytes` must be exactly the Index, as the
 * Stream Footer's Backward Size delimits it (§2.1.2.2), so any size mismatch
 * is caught. The CRC32 is checked first: damage then reads as damage.
 */
export function parseIndex(bytes: Uint8Array): IndexRecord[] {
  const size = bytes.length;
  if (size < 8 || size % 4 !== 0) throw new XzFormatError(`index size ${size} is invalid`);
  const end = size - 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  if (crc32(bytes.subarray(0, end)) !== view.getUint32(end, true)) {
    throw new XzFormatError('index CRC32 mismatch');
  }
  if (bytes[0] !== 0x00) throw new XzFormatError('index indicator is not 0x00');
  const count = decodeVli(bytes, 1, end);
  let pos = 1 + count.size;
  // Each Record takes at least two bytes: bound the count before trusting it.
  if (count.value > (end - pos) / 2) throw new XzFormatError('index has more records than bytes');
  const records: IndexRecord[] = [];
  for (let i = 0; i < count.value; i++) {
    const unpadded = decodeVli(bytes, pos, end);
    pos += unpadded.size;
    if (unpadded.value < UNPADDED_SIZE_MIN)
      throw new XzFormatError('index record unpadded size too small');
    const uncompressed = decodeVli(bytes, pos, end);
    pos += uncompressed.size;
    records.push({ unpaddedSize: unpadded.value, uncompressedSize: uncompressed.value });
  }
  const paddingEnd = Math.ceil(pos / 4) * 4;
  if (paddingEnd !== end) throw new XzFormatError('index size does not match its records');
  for (; pos < end; pos++) {
    if (bytes[pos] !== 0x00) throw new XzFormatError('index padding is not null');
  }
  return records;
}
