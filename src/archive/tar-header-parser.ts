/**
 * Reading one 512-byte tar header block, strictly: POSIX.1-2001 ustar
 * (pax "ustar Interchange Format": name, size, typeflag, linkname, prefix,
 * checksum) and the GNU variant (magic "ustar  ", no prefix field, base-256
 * sizes). Extended headers (pax 'x'/'g', GNU 'L'/'K') are recognised here
 * and applied by the scanner. Pure.
 */
import { ArchiveFormatError } from './archive-format-error.js';
import { isTarHeaderBlock } from './container-magic.js';

export const tarBlockSize = 512;

/** What an entry is, for our purposes. */
export type TarEntryKind =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  /** Devices, FIFOs, sparse and volume entries: never content we serve. */
  | 'other'
  /** pax extended header for the next entry ('x'). */
  | 'pax'
  /** pax global header ('g'). */
  | 'pax-global'
  /** GNU long name for the next entry ('L'). */
  | 'gnu-long-name'
  /** GNU long link name for the next entry ('K'). */
  | 'gnu-long-link';

export interface TarHeader {
  readonly name: string;
  readonly linkName: string;
  readonly size: number;
  readonly kind: TarEntryKind;
  /** The typeflag byte as written, for messages. */
  readonly typeflag: string;
}

function kindOf(typeflag: number): TarEntryKind {
  switch (String.fromCharCode(typeflag)) {
    case '0':
    case '\0':
    case '7': // contiguous file: a regular file to every reader but one
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    case 'x':
      return 'pax';
    case 'g':
      return 'pax-global';
    case 'L':
      return 'gnu-long-name';
    case 'K':
      return 'gnu-long-link';
    default:
      return 'other';
  }
}

/**
 * Entries whose size field says nothing about data that follows (POSIX:
 * links carry size 0; devices, FIFOs and directories have no data), as Go's
 * archive/tar (isHeaderOnlyType) treats them.
 */
export function isHeaderOnly(header: TarHeader): boolean {
  return (
    header.kind === 'directory' ||
    header.kind === 'symlink' ||
    header.kind === 'hardlink' ||
    ['3', '4', '6'].includes(header.typeflag)
  );
}

/** A NUL-terminated field. */
function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** An octal numeric field: optional leading spaces, digits, then NUL or space. */
function octal(block: Buffer, start: number, length: number, what: string): number {
  const text = block
    .subarray(start, start + length)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new ArchiveFormatError(`${what} field is not octal`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new ArchiveFormatError(`${what} field is too large`);
  return value;
}

/** The size field: octal, or GNU base-256 when the high bit of its first byte is set. */
function sizeField(block: Buffer): number {
  const first = block[124] ?? 0;
  if ((first & 0x80) === 0) return octal(block, 124, 12, 'size');
  if (first === 0xff) throw new ArchiveFormatError('size field is negative');
  let value = first & 0x7f;
  for (let i = 125; i < 136; i++) {
    value = value * 256 + (block[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw new ArchiveFormatError('size field is too large');
  }
  return value;
}

/**
 * POSIX: the checksum is the sum of all header bytes with the checksum field
 * taken as spaces. Old tars summed signed chars; both are accepted.
 */
function checksumMatches(block: Buffer): boolean {
  const stored = octal(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < tarBlockSize; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** True for the all-zero blocks that end an archive. */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/**
 * Parses one header block (exactly 512 bytes, not all zero).
 *
 * @throws ArchiveFormatError when the block is not a valid ustar header.
 */
export function parseTarHeader(block: Buffer): TarHeader {
  if (block.length !== tarBlockSize) throw new ArchiveFormatError('tar header cut short');
  if (!isTarHeaderBlock(block)) {
    throw new ArchiveFormatError('no ustar magic where a tar header should be');
  }
  if (!checksumMatches(block)) throw new ArchiveFormatError('tar header checksum mismatch');
  // POSIX ustar ("ustar\0" "00") has a prefix field; GNU ("ustar " " \0") uses those bytes otherwise.
  const posix = block[262] === 0;
  const name = cString(block, 0, 100);
  const prefix = posix ? cString(block, 345, 155) : '';
  const typeflag = block[156] ?? 0;
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    linkName: cString(block, 157, 100),
    size: sizeField(block),
    kind: kindOf(typeflag),
    typeflag: typeflag === 0 ? 'NUL' : String.fromCharCode(typeflag),
  };
}

/**
 * The records of a pax extended header (POSIX.1-2001 pax "pax Extended
 * Header"): `"%d %s=%s\n"`, the length counting the whole record.
 */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // trailing NUL padding some writers leave
    const space = data.indexOf(0x20, at);
    const lengthText = space === -1 ? '' : data.subarray(at, space).toString('latin1');
    if (!/^[1-9][0-9]*$/.test(lengthText)) throw new ArchiveFormatError('malformed pax record');
    const length = Number(lengthText);
    const end = at + length;
    if (end > data.length || data[end - 1] !== 0x0a) {
      throw new ArchiveFormatError('malformed pax record');
    }
    const record = data.subarray(space + 1, end - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw new ArchiveFormatError('malformed pax record');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at = end;
  }
  return records;
}

/** A pax `size` record: decimal digits only. */
export function paxSize(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new ArchiveFormatError('pax size record is not a number');
  const size = Number(value);
  if (!Number.isSafeInteger(size)) throw new ArchiveFormatError('pax size record is too large');
  return size;
}

/** Bytes of padding after `size` bytes of data, up to the next block. */
export function tarPaddingOf(size: number): number {
  return (tarBlockSize - (size % tarBlockSize)) % tarBlockSize;
}
