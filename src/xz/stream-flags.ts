/**
 * Stream Flags (xz-file-format 1.0.4 §2.1.1.2), shared by the Stream Header
 * and the Stream Footer: a null byte, then the Check ID in the low four bits
 * of the second byte; every other bit is reserved and must be zero.
 */
import { CHECK_TYPE_MAX } from './check-type.js';
import { XzFormatError } from './format-error.js';

/** Size of the Stream Flags field. */
export const STREAM_FLAGS_SIZE = 2;

/** Writes the two Stream Flags bytes for `checkType` at `offset`. */
export function writeStreamFlags(checkType: number, target: Uint8Array, offset: number): void {
  if (!Number.isInteger(checkType) || checkType < 0 || checkType > CHECK_TYPE_MAX) {
    throw new RangeError(`xz check type ${checkType} is outside 0-15`);
  }
  target[offset] = 0x00;
  target[offset + 1] = checkType;
}

/** The Check ID in the Stream Flags at `offset`; reserved bits set are an error (§2.1.1.2). */
export function parseStreamFlags(bytes: Uint8Array, offset: number): number {
  const first = bytes[offset] ?? 0xff;
  const second = bytes[offset + 1] ?? 0xff;
  if (first !== 0x00 || (second & 0xf0) !== 0) {
    throw new XzFormatError('unsupported stream flags (reserved bits are set)');
  }
  return second & 0x0f;
}
