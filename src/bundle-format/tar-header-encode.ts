/**
 * Writing a tar header (POSIX ustar, IEEE Std 1003.1 pax "ustar Interchange
 * Format") with node-tar's Header, every value fixed so that bundles are
 * reproducible: mode 0644 or 0755, uid/gid 0, the owner names given (empty
 * for bundles), one mtime, no atime or ctime (node-tar would put them where
 * a long path's prefix goes). The bytes are node-tar's: octal fields as
 * digits, space, NUL (`000644 \0`), devmajor/devminor as zeros, the checksum
 * as six digits, space, NUL.
 *
 * Sizes of 8 GiB and more: node-tar's Header writes the base-256 form
 * (GNU tar, Go's archive/tar, node-tar and our decoder read it) and answers
 * that a pax header is wanted; node-tar's own archive writer would then add
 * one. bmpack does not: base-256 says the size exactly, and one header block
 * per entry is what the bundle's offsets are planned with (tar-blocks.ts)
 * and what docs/bundle-format.md §1 promises readers. Instead of trusting
 * that answer, every header is decoded again with our strict decoder, which
 * must read the path, link name and size we asked for: a path ustar cannot
 * hold (over 255 bytes, or one node-tar would cut) fails here rather than
 * writing a header that says something else. Bundle paths never need pax
 * (layout-names.ts: at most 77 bytes, ASCII).
 *
 * Imported from `tar/header`, not `tar`: the package's entry point brings its
 * file-system code into the single-file build. Pure.
 */
import { Header, type HeaderData } from 'tar/header';
import { tarBlockSize } from './tar-blocks.js';
import { unsignedChecksum } from './tar-checksum.js';
import { parseTarHeader } from './tar-header-decode.js';

/** The entry types a bundle holds. */
export type TarEntryType = 'file' | 'directory';

/** node-tar's names of POSIX typeflags; links, devices and pax headers only in the tests' hand-made archives. */
const typeNames = {
  file: 'File',
  hardlink: 'Link',
  symlink: 'SymbolicLink',
  'char-device': 'CharacterDevice',
  directory: 'Directory',
  pax: 'ExtendedHeader',
} as const satisfies Record<string, HeaderData['type']>;

export type TarWriteType = keyof typeof typeNames;

export interface TarHeaderSpec {
  /** Up to 100 bytes in the name field; longer paths split into ustar's prefix and name. */
  readonly path: string;
  readonly size: number;
  readonly type: TarWriteType;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** uname and gname (the test rig's layers say "root"); empty when absent. */
  readonly owner?: string;
  /** The linkname field, for links. */
  readonly linkName?: string;
  /** Permission bits; default 0644 for files, 0755 for folders (0600: mirror credentials). */
  readonly mode?: number;
}

/** The 512-byte header of one entry. */
export function encodeTarHeader(spec: TarHeaderSpec): Buffer {
  const block = Buffer.alloc(tarBlockSize);
  new Header({
    path: spec.path,
    mode: spec.mode ?? (spec.type === 'directory' ? 0o755 : 0o644),
    uid: 0,
    gid: 0,
    size: spec.size,
    mtime: new Date(spec.mtime * 1000),
    type: typeNames[spec.type],
    uname: spec.owner ?? '',
    gname: spec.owner ?? '',
    ...(spec.linkName !== undefined ? { linkpath: spec.linkName } : {}),
  }).encode(block);
  const back = parseTarHeader(block);
  if (
    back.name !== spec.path ||
    back.size !== spec.size ||
    back.linkName !== (spec.linkName ?? '')
  ) {
    throw new Error(`a ustar header cannot hold ${JSON.stringify(spec.path)} as given`);
  }
  return block;
}

/**
 * Writes the checksum of the header at `offset` of `tar` into its field, in
 * node-tar's form: six octal digits, space, NUL. The tests call it after
 * changing a field, so that readers believe the change.
 */
export function sealTarHeader(tar: Buffer, offset = 0): void {
  const block = tar.subarray(offset, offset + tarBlockSize);
  block.write(`${unsignedChecksum(block).toString(8).padStart(6, '0')} \0`, 148, 8, 'latin1');
}
