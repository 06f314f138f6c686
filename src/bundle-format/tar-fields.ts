/**
 * The fields of a tar header (POSIX ustar, IEEE Std 1003.1 pax "ustar
 * Interchange Format" and "ustar Header Block"): NUL-terminated strings,
 * and numbers as octal digits, or in the base-256 form GNU tar, Go's
 * archive/tar and node-tar use for values too large for the octal digits
 * (the high bit of the field's first byte set). Reading is strict, because
 * archives come from outside; it allocates nothing but the strings it
 * returns, because the reader runs it on every header. Pure.
 */
import { ArchiveFormatError } from './format-error.js';

const nul = 0x00;
const space = 0x20;
const digit0 = 0x30;
const digit7 = 0x37;

/** Writes `value` (UTF-8) at the start of the field; the rest stays as it was (zero). */
export function writeString(block: Buffer, start: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(block, start);
}

/** `length - 1` octal digits, zero-padded, then a NUL: the form POSIX describes. */
export function writeOctal(block: Buffer, start: number, length: number, value: number): void {
  writeString(block, start, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** The base-256 form: 0x80, then the value big-endian in the remaining bytes. */
export function writeBase256(block: Buffer, start: number, length: number, value: number): void {
  let v = BigInt(value);
  for (let i = start + length - 1; i > start; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[start] = 0x80;
}

/** A NUL-terminated field (the whole field when it has no NUL). */
export function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(nul);
  return field.toString('utf8', 0, end === -1 ? length : end);
}

/**
 * An octal field: optional leading spaces, octal digits, then NULs or
 * spaces (writers differ: "0000644\0", "000644 \0", " 644 "). Empty is 0.
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
