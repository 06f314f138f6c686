/**
 * The fields of a tar header (POSIX ustar, IEEE Std 1003.1 pax "ustar
 * Interchange Format" and "ustar Header Block"): NUL-terminated strings,
 * and numbers as octal digits, or in the base-256 form GNU tar, Go's
 * archive/tar and node-tar use for values too large for the octal digits
 * (the high bit of the field's first byte set). Only reading: headers are
 * written by node-tar's Header (tar-header-encode.ts). Reading is strict,
 * because archives come from outside; it allocates nothing but the strings
 * it returns, because the reader runs it on every header. Pure.
 */
import { ArchiveFormatError } from './format-error.js';

const nul = 0x00;
const space = 0x20;
const digit0 = 0x30;
const digit7 = 0x37;

/** A NUL-terminated field (the whole field when it has no NUL). */
export function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(nul);
  return field.toString('utf8', 0, end === -1 ? length : end);
}

/**
 * An octal field: optional leading spaces, octal digits, then NULs or
 * spaces in any order (writers differ: "0000644\0" in bundles that earlier
 * bmpack versions wrote and from GNU tar, "000644 \0" from node-tar, " 644 " from old tars;
 * checksums "007755\0 " and "007755 \0"). Empty is 0.
 */
export function readOctal(block: Buffer, start: number, length: number, what: string): number {
  let end = start + length;
  while (end > start && (block[end - 1] === nul || block[end - 1] === space)) end--;
  let at = start;
  while (at < end && block[at] === space) at++;
  let value = 0;
  for (; at < end; at++) {
    const byte = block[at] ?? nul;
    if (byte < digit0 || byte > digit7) throw new ArchiveFormatError(`${what} field is not octal`);
    value = value * 8 + (byte - digit0);
    if (!Number.isSafeInteger(value)) throw new ArchiveFormatError(`${what} field is too large`);
  }
  return value;
}

/** A numeric field in either form: octal, or base-256 when its first byte's high bit is set. */
export function readNumber(block: Buffer, start: number, length: number, what: string): number {
  const first = block[start] ?? nul;
  if ((first & 0x80) === 0) return readOctal(block, start, length, what);
  // 0xff starts a negative number (two's complement): no size or time bmpack reads is one.
  if (first === 0xff) throw new ArchiveFormatError(`${what} field is negative`);
  let value = first & 0x7f;
  for (let i = start + 1; i < start + length; i++) {
    value = value * 256 + (block[i] ?? nul);
    if (!Number.isSafeInteger(value)) throw new ArchiveFormatError(`${what} field is too large`);
  }
  return value;
}
