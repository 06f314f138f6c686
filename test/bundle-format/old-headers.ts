/**
 * The tar headers earlier bmpack versions wrote, made from the ones it
 * writes now: its own encoder put every octal field as `length - 1` digits
 * and a NUL (`0000644\0`), left devmajor/devminor empty and wrote the
 * checksum as six digits, NUL, space; node-tar's Header writes digits,
 * space, NUL (`000644 \0`), zeros in devmajor/devminor and the checksum as
 * six digits, space, NUL. Base-256 sizes are the same bytes in both. Bundles
 * in the field hold the old form, so the reader must go on reading it;
 * test/bundle-format/tar-header-pins.test.ts checks that this rewrite gives
 * exactly the bytes the old encoder wrote.
 */
import { sealTarHeader, tarBlockSize } from '../../src/bundle-format/index.js';

/** Offset and length of the octal fields the old encoder wrote (mode, uid, gid, size, mtime). */
const octalFields = [
  [100, 8],
  [108, 8],
  [116, 8],
  [124, 12],
  [136, 12],
] as const;

/** The 512-byte header at `offset` of `tar`, rewritten in place into the old form. */
export function rewriteAsOldHeader(tar: Buffer, offset = 0): void {
  const block = tar.subarray(offset, offset + tarBlockSize);
  for (const [start, length] of octalFields) {
    if (((block[start] ?? 0) & 0x80) !== 0) continue;
    const text = block.toString('latin1', start, start + length).replace(/[ \0]+$/, '');
    const value = text === '' ? 0 : parseInt(text, 8);
    block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, start, length, 'latin1');
  }
  block.fill(0, 329, 345); // devmajor, devminor
  sealTarHeader(block);
  block.write('\0 ', 154, 2, 'latin1'); // six digits, NUL, space
}

/** A copy of one header in the old form. */
export function asOldHeader(header: Buffer): Buffer {
  const copy = Buffer.from(header);
  rewriteAsOldHeader(copy);
  return copy;
}
