/**
 * Variable-length integers (xz-file-format 1.0.4 §1.2): seven bits per byte,
 * least significant group first, the high bit set on every byte but the last;
 * at most nine bytes (63 bits). JavaScript numbers are exact only up to
 * 2^53 - 1, which is far beyond any file size we handle, so larger values are
 * refused rather than silently rounded.
 */
import { XzFormatError } from './format-error.js';

/** Most bytes one VLI may take (§1.2: values are limited to 63 bits). */
export const VLI_MAX_BYTES = 9;

function assertEncodable(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`xz VLI: ${value} is not a non-negative safe integer`);
  }
}

/** Bytes that `value` takes once encoded (1-8 for safe integers). */
export function vliSize(value: number): number {
  assertEncodable(value);
  let size = 1;
  // Division, not >>>: values above 2^32 must survive.
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Writes `value` at `offset` of `target`; returns the bytes written. */
export function writeVli(value: number, target: Uint8Array, offset: number): number {
  assertEncodable(value);
  let rest = value;
  let i = offset;
  while (rest >= 0x80) {
    target[i++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  target[i++] = rest;
  return i - offset;
}

/** `value` encoded as a VLI. */
export function encodeVli(value: number): Uint8Array {
  const out = new Uint8Array(vliSize(value));
  writeVli(value, out, 0);
  return out;
}

/** A decoded VLI and how many bytes it took. */
export interface DecodedVli {
  value: number;
  size: number;
}

/**
 * Decodes the VLI at `offset`, reading no further than `end` (default: the
 * end of `bytes`). Refuses, as §1.2's reference decoder does, a VLI that runs
 * past `end` or past nine bytes, and one whose last byte is 0x00 (a
 * non-minimal encoding).
 */
export function decodeVli(bytes: Uint8Array, offset: number, end = bytes.length): DecodedVli {
  const limit = Math.min(end, offset + VLI_MAX_BYTES);
  let value = 0;
  let scale = 1;
  for (let i = offset; i < limit; i++) {
    const byte = bytes[i] ?? 0;
    if (i > offset && byte === 0x00) throw new XzFormatError('non-minimal variable-length integer');
    value += (byte & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) {
      throw new XzFormatError('variable-length integer too large (above 2^53 - 1)');
    }
    if ((byte & 0x80) === 0) return { value, size: i - offset + 1 };
    scale *= 0x80;
  }
  throw new XzFormatError(
    limit - offset === VLI_MAX_BYTES
      ? 'variable-length integer longer than nine bytes'
      : 'variable-length integer cut short',
  );
}
