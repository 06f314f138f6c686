/**
 * Reading one 512-byte tar header block, strictly: POSIX ustar (IEEE Std
 * 1003.1 pax "ustar Interchange Format": name, size, typeflag, linkname,
 * prefix, checksum) and the GNU variant (magic "ustar  ", no prefix field,
 * base-256 sizes). Extended headers (pax 'x'/'g', GNU 'L'/'K') are
 * recognised here and applied by the reader's scanner.
 *
 * node-tar's Header is not used to decode: it reads numbers with parseInt
 * (so "12x" is 10), takes a negative size as no size, builds a Date for
 * every time field, and decodes every field whether needed or not, about
 * twice the cost of this parser per header; the checks below would have to
 * read the same bytes again anyway. Pure.
 */
import { isTarHeaderBlock, tarBlockSize } from './tar-blocks.js';
import { signedChecksum, unsignedChecksum } from './tar-checksum.js';
import { readNumber, readOctal, readString } from './tar-fields.js';
import { ArchiveFormatError } from './format-error.js';

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

/** Old tars summed signed chars; both sums are accepted. */
function checksumMatches(block: Buffer): boolean {
  const stored = readOctal(block, 148, 8, 'checksum');
  return stored === unsignedChecksum(block) || stored === signedChecksum(block);
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
  const name = readString(block, 0, 100);
  const prefix = posix ? readString(block, 345, 155) : '';
  const typeflag = block[156] ?? 0;
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    linkName: readString(block, 157, 100),
    size: readNumber(block, 124, 12, 'size'),
    kind: kindOf(typeflag),
    typeflag: typeflag === 0 ? 'NUL' : String.fromCharCode(typeflag),
  };
}
