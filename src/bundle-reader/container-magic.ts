/**
 * What holds the archive, from its first bytes: an xz container
 * (xz-file-format 1.0.4 §2.1.1.1, Header Magic Bytes FD 37 7A 58 5A 00) or a
 * tar (POSIX ustar, and GNU tar's variant, carry "ustar" at offset 257).
 * Other compressors are named so that the error can say what to do. Pure.
 */
import { isTarHeaderBlock } from '../bundle-format/index.js';

export type Container =
  | { readonly kind: 'xz' }
  | { readonly kind: 'tar' }
  | { readonly kind: 'unsupported'; readonly format: string }
  | { readonly kind: 'unknown' };

/** How many leading bytes {@link detectContainer} looks at. */
export const containerProbeSize = 512;

const xzMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Compressed formats we recognise but do not read (RFC 1952, RFC 8878, bzip2). */
const unsupported: ReadonlyArray<{ readonly magic: Buffer; readonly format: string }> = [
  { magic: Buffer.from([0x1f, 0x8b]), format: 'gzip (.tar.gz)' },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), format: 'zstd (.tar.zst)' },
  { magic: Buffer.from('BZh', 'latin1'), format: 'bzip2 (.tar.bz2)' },
];

export function detectContainer(head: Buffer): Container {
  if (head.subarray(0, xzMagic.length).equals(xzMagic)) return { kind: 'xz' };
  for (const u of unsupported) {
    if (head.subarray(0, u.magic.length).equals(u.magic)) {
      return { kind: 'unsupported', format: u.format };
    }
  }
  if (isTarHeaderBlock(head)) return { kind: 'tar' };
  return { kind: 'unknown' };
}
