/**
 * The block arithmetic of a tar archive (POSIX ustar, IEEE Std 1003.1 pax
 * "ustar Interchange Format"): every header and every entry's data take
 * whole 512-byte blocks, and two zero blocks end the archive. bmpack plans
 * a bundle's offsets with these before it writes a byte. Pure.
 */

export const tarBlockSize = 512;

/** The end-of-archive marker: two zero blocks. */
export const tarTrailerSize = 2 * tarBlockSize;

/** Zero bytes after `size` bytes of data, up to the next 512-byte boundary. */
export function tarPadding(size: number): number {
  return (tarBlockSize - (size % tarBlockSize)) % tarBlockSize;
}

/** Bytes an entry takes: header, data, padding. */
export function tarEntrySpan(size: number): number {
  return tarBlockSize + size + tarPadding(size);
}

/** True for the all-zero blocks that end an archive. */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

const ustarMagic = Buffer.from('ustar', 'latin1');

/** True when a 512-byte block carries the "ustar" magic of POSIX or GNU tar at offset 257. */
export function isTarHeaderBlock(block: Buffer): boolean {
  return block.length >= 262 && block.subarray(257, 262).equals(ustarMagic);
}
