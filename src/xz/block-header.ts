/**
 * Block Header (xz-file-format 1.0.4 §3.1): its size in four-byte units,
 * Block Flags, the optional Compressed Size and Uncompressed Size, the list
 * of Filter Flags, null padding and a CRC32 over all of it.
 */
import { crc32 } from 'node:zlib';
import { XzFormatError } from './format-error.js';
import { decodeVli, vliSize, writeVli } from './vli.js';

/** Smallest Block Header (§3.1.1: encoded size 1 means 8 bytes). */
export const BLOCK_HEADER_SIZE_MIN = 8;
/** Largest Block Header (§3.1.1: encoded size 0xFF means 1024 bytes). */
export const BLOCK_HEADER_SIZE_MAX = 1024;
/** Most filters in one chain (§3.1.2, §5.2). */
export const FILTERS_MAX = 4;

const FLAG_COMPRESSED_SIZE = 0x40;
const FLAG_UNCOMPRESSED_SIZE = 0x80;
const FLAGS_RESERVED = 0x3c;
/** §3.1.5: IDs from 2^62 up are for implementations' internal use only. */
const FILTER_ID_LIMIT = 2 ** 62;

/** One entry of the List of Filter Flags (§3.1.5). */
export interface FilterFlags {
  id: number;
  properties: Uint8Array;
}

/** The fields a Block Header carries. */
export interface BlockHeaderFields {
  /** Size of the Compressed Data field (§3.1.3); must be non-zero. */
  compressedSize?: number | undefined;
  /** Size of the Block once uncompressed (§3.1.4). */
  uncompressedSize?: number | undefined;
  /** Filter chain, first filter first; 1-4 entries. */
  filters: readonly FilterFlags[];
}

/** A parsed Block Header. */
export interface BlockHeader extends BlockHeaderFields {
  /** Size of the Block Header field in bytes, CRC32 included. */
  size: number;
}

/**
 * Real size of a Block Header from its first byte (§3.1.1), or 0 when the
 * byte is the Index Indicator (§4.1) that takes its place after the last Block.
 */
export function blockHeaderSizeFromFirstByte(firstByte: number): number {
  return firstByte === 0x00 ? 0 : (firstByte + 1) * 4;
}

/** Size the Block Header for `fields` takes: rounded up to four, CRC32 included. */
export function blockHeaderSize(fields: BlockHeaderFields): number {
  let size = 2; // Block Header Size and Block Flags
  if (fields.compressedSize !== undefined) size += vliSize(fields.compressedSize);
  if (fields.uncompressedSize !== undefined) size += vliSize(fields.uncompressedSize);
  for (const filter of fields.filters) {
    size += vliSize(filter.id) + vliSize(filter.properties.length) + filter.properties.length;
  }
  // §3.1.6 pads with null bytes so that the header with its CRC32 is a multiple of four.
  return Math.ceil(size / 4) * 4 + 4;
}

/** Encodes a Block Header. */
export function encodeBlockHeader(fields: BlockHeaderFields): Uint8Array {
  const { filters } = fields;
  if (filters.length < 1 || filters.length > FILTERS_MAX) {
    throw new RangeError(`xz block header: ${filters.length} filters, expected 1-4`);
  }
  if (fields.compressedSize === 0) throw new RangeError('xz block header: compressed size 0');
  const size = blockHeaderSize(fields);
  if (size > BLOCK_HEADER_SIZE_MAX) throw new RangeError(`xz block header of ${size} bytes`);
  const out = new Uint8Array(size);
  out[0] = size / 4 - 1;
  let flags = filters.length - 1;
  let pos = 2;
  if (fields.compressedSize !== undefined) {
    flags |= FLAG_COMPRESSED_SIZE;
    pos += writeVli(fields.compressedSize, out, pos);
  }
  if (fields.uncompressedSize !== undefined) {
    flags |= FLAG_UNCOMPRESSED_SIZE;
    pos += writeVli(fields.uncompressedSize, out, pos);
  }
  out[1] = flags;
  for (const filter of filters) {
    pos += writeVli(filter.id, out, pos);
    pos += writeVli(filter.properties.length, out, pos);
    out.set(filter.properties, pos);
    pos += filter.properties.length;
  }
  // The padding is already zero (fresh array); the CRC32 covers all but itself (§3.1.7).
  new DataView(out.buffer).setUint32(size - 4, crc32(out.subarray(0, size - 4)), true);
  return out;
}

/**
 * Parses the Block Header at the start of `bytes` (which may go on past it).
 * The CRC32 is checked before any field is interpreted (§3.1.7), so damage is
 * reported as such and not as an unsupported feature.
 */
export function parseBlockHeader(bytes: Uint8Array): BlockHeader {
  const size = blockHeaderSizeFromFirstByte(bytes[0] ?? 0);
  if (size === 0)
    throw new XzFormatError('found the index indicator where a block header was expected');
  if (bytes.length < size) throw new XzFormatError('block header cut short');
  const end = size - 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  if (crc32(bytes.subarray(0, end)) !== view.getUint32(end, true)) {
    throw new XzFormatError('block header CRC32 mismatch');
  }
  const flags = bytes[1] ?? 0;
  if ((flags & FLAGS_RESERVED) !== 0) throw new XzFormatError('block flags have reserved bits set');
  let pos = 2;
  const header: BlockHeader = { size, filters: [] };
  if ((flags & FLAG_COMPRESSED_SIZE) !== 0) {
    const vli = decodeVli(bytes, pos, end);
    if (vli.value === 0) throw new XzFormatError('block header declares compressed size 0');
    header.compressedSize = vli.value;
    pos += vli.size;
  }
  if ((flags & FLAG_UNCOMPRESSED_SIZE) !== 0) {
    const vli = decodeVli(bytes, pos, end);
    header.uncompressedSize = vli.value;
    pos += vli.size;
  }
  const filters: FilterFlags[] = [];
  for (let i = 0; i <= (flags & 0x03); i++) {
    const id = decodeVli(bytes, pos, end);
    pos += id.size;
    if (id.value >= FILTER_ID_LIMIT) throw new XzFormatError('reserved filter ID in block header');
    const propertiesSize = decodeVli(bytes, pos, end);
    pos += propertiesSize.size;
    if (pos + propertiesSize.value > end)
      throw new XzFormatError('filter properties overrun block header');
    filters.push({ id: id.value, properties: bytes.slice(pos, pos + propertiesSize.value) });
    pos += propertiesSize.value;
  }
  header.filters = filters;
  // §3.1.6: non-null padding may be a field this decoder does not know.
  for (; pos < end; pos++) {
    if (bytes[pos] !== 0x00) throw new XzFormatError('block header padding is not null');
  }
  return header;
}
