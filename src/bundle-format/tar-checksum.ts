/**
 * The header checksum (POSIX ustar, IEEE Std 1003.1 pax "ustar Header
 * Block": chksum): the sum of all 512 header bytes, the checksum field's own
 * eight bytes taken as spaces. Pure.
 */
import { tarBlockSize } from './tar-blocks.js';

const fieldStart = 148;
const fieldEnd = 156;
const spaces = 8 * 0x20;

/** The sum as POSIX defines it: bytes as unsigned. */
export function unsignedChecksum(block: Buffer): number {
  let sum = spaces;
  for (let i = 0; i < fieldStart; i++) sum += block[i] ?? 0;
  for (let i = fieldEnd; i < tarBlockSize; i++) sum += block[i] ?? 0;
  return sum;
}

/** The sum some old tars wrote: bytes as signed chars. */
export function signedChecksum(block: Buffer): number {
  let sum = spaces;
  for (let i = 0; i < fieldStart; i++) sum += signed(block[i] ?? 0);
  for (let i = fieldEnd; i < tarBlockSize; i++) sum += signed(block[i] ?? 0);
  return sum;
}

function signed(byte: number): number {
  return byte > 127 ? byte - 256 : byte;
}
