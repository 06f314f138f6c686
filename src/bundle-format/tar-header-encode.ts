/**
 * Writing a tar header (POSIX ustar, IEEE Std 1003.1 pax "ustar Interchange
 * Format"), every byte fixed so that bundles are reproducible: mode 0644 or
 * 0755, uid/gid 0, the owner names given (empty for bundles), one mtime,
 * octal fields as `length - 1` digits and a NUL, the checksum as six digits,
 * NUL, space. Sizes of 8 GiB and more take the base-256 form (GNU tar, Go's
 * archive/tar and node-tar read it); bmpack never writes a pax header.
 *
 * node-tar's Header cannot be this encoder: it writes the same values in
 * other bytes ("000644 \0" for the mode, the checksum as "0ddddd \0", and
 * devmajor/devminor digits), which would change every bundle's bytes.
 * Pure.
 */
import { tarBlockSize } from './tar-blocks.js';
import { unsignedChecksum } from './tar-checksum.js';
import { writeBase256, writeOctal, writeString } from './tar-fields.js';

/** The entry types a bundle holds. */
export type TarEntryType = 'file' | 'directory';

/** POSIX typeflags; links, devices and pax headers only in the tests' hand-made archives. */
const typeflags = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  directory: '5',
  pax: 'x',
} as const;

export type TarWriteType = keyof typeof typeflags;

export interface TarHeaderSpec {
  /** At most 100 bytes (the name field): bmpack writes no prefix or pax path. */
  readonly path: string;
  readonly size: number;
  readonly type: TarWriteType;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** uname and gname (the test rig's layers say "root"); empty when absent. */
  readonly owner?: string;
  /** The linkname field, for links. */
  readonly linkName?: string;
}

/** Largest size the 12-byte field holds as octal (eleven digits). */
const maxOctalSize = 0o77777777777;

/** The 512-byte header of one entry. */
export function encodeTarHeader(spec: TarHeaderSpec): Buffer {
  const h = Buffer.alloc(tarBlockSize);
  writeString(h, 0, 100, spec.path);
  writeOctal(h, 100, 8, spec.type === 'directory' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  if (spec.size > maxOctalSize) writeBase256(h, 124, 12, spec.size);
  else writeOctal(h, 124, 12, spec.size);
  writeOctal(h, 136, 12, spec.mtime);
  writeString(h, 156, 1, typeflags[spec.type]);
  if (spec.linkName !== undefined) writeString(h, 157, 100, spec.linkName);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  if (spec.owner !== undefined) {
    writeString(h, 265, 32, spec.owner);
    writeString(h, 297, 32, spec.owner);
  }
  sealTarHeader(h);
  return h;
}

/**
 * Writes the checksum of the header at `offset` of `tar` into its field:
 * six octal digits, NUL, space (the form of GNU tar and of every bundle).
 * The tests call it after changing a field, so that readers believe the change.
 */
export function sealTarHeader(tar: Buffer, offset = 0): void {
  const block = tar.subarray(offset, offset + tarBlockSize);
  writeString(block, 148, 8, `${unsignedChecksum(block).toString(8).padStart(6, '0')}\0 `);
}
