/**
 * POSIX ustar headers (POSIX.1-2001 pax "ustar Interchange Format"), written
 * by hand so that every byte is fixed: mode, uid/gid 0, empty user and
 * group names, one mtime. Sizes of 8 GiB and more use the base-256 form of
 * the size field (GNU tar, Go archive/tar and node-tar read it). Pure.
 */

export const tarBlock = 512;

export type TarEntryType = 'file' | 'directory';

export interface TarEntry {
  readonly path: string;
  readonly size: number;
  readonly type: TarEntryType;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

const maxOctalSize = 0o77777777777;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  writeString(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function writeBase256(buf: Buffer, offset: number, length: number, value: number): void {
  let v = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] = 0x80;
}

/** The 512-byte header of one entry. Paths must fit the 100-byte name field. */
export function encodeTarHeader(e: TarEntry): Buffer {
  const h = Buffer.alloc(tarBlock);
  writeString(h, 0, 100, e.path);
  writeOctal(h, 100, 8, e.type === 'directory' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  if (e.size > maxOctalSize) writeBase256(h, 124, 12, e.size);
  else writeOctal(h, 124, 12, e.size);
  writeOctal(h, 136, 12, e.mtime);
  h.fill(0x20, 148, 156); // checksum counts as spaces while summing
  h[156] = e.type === 'directory' ? 0x35 : 0x30;
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Zero bytes after an entry's data, up to the next 512-byte boundary. */
export function tarPadding(size: number): number {
  return (tarBlock - (size % tarBlock)) % tarBlock;
}

/** Bytes an entry takes: header, data, padding. */
export function tarEntrySpan(size: number): number {
  return tarBlock + size + tarPadding(size);
}

/** The end-of-archive marker: two zero blocks. */
export const tarTrailerSize = 2 * tarBlock;
