/**
 * Stream Header (xz-file-format 1.0.4 §2.1.1): six magic bytes, the Stream
 * Flags and a CRC32 of those flags; twelve bytes in all.
 */
import { crc32 } from 'node:zlib';
import { XzFormatError } from './format-error.js';
import { parseStreamFlags, writeStreamFlags } from './stream-flags.js';

/** Size of the Stream Header. */
export const STREAM_HEADER_SIZE = 12;

/** Header Magic Bytes (§2.1.1.1). */
export const HEADER_MAGIC: readonly number[] = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** The Stream Header for a stream whose Blocks use `checkType`. */
export function encodeStreamHeader(checkType: number): Uint8Array {
  const out = new Uint8Array(STREAM_HEADER_SIZE);
  out.set(HEADER_MAGIC, 0);
  writeStreamFlags(checkType, out, 6);
  // §2.1.1.3: the CRC32 covers the Stream Flags only.
  new DataView(out.buffer).setUint32(8, crc32(out.subarray(6, 8)), true);
  return out;
}

/** What a Stream Header says. */
export interface StreamHeader {
  checkType: number;
}

/**
 * Parses the twelve bytes of a Stream Header. Checks in the spec's order:
 * magic (§2.1.1.1), CRC32 (§2.1.1.3, so that corruption is told apart from
 * an unsupported newer format), then the reserved flag bits (§2.1.1.2).
 */
export function parseStreamHeader(bytes: Uint8Array): StreamHeader {
  if (bytes.length < STREAM_HEADER_SIZE) throw new XzFormatError('stream header cut short');
  for (let i = 0; i < HEADER_MAGIC.length; i++) {
    if (bytes[i] !== HEADER_MAGIC[i]) throw new XzFormatError('no xz stream header magic');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, STREAM_HEADER_SIZE);
  if (crc32(bytes.subarray(6, 8)) !== view.getUint32(8, true)) {
    throw new XzFormatError('stream header CRC32 mismatch');
  }
  return { checkType: parseStreamFlags(bytes, 6) };
}
