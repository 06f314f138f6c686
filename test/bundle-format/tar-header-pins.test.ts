/**
 * The 512-byte headers bmpack writes, pinned byte for byte. They were
 * generated from the encoders as they stood before the codecs were merged
 * (src/bundle-writer/tar-header.ts and test/rig/tar-writer.ts), so a change in any
 * byte of a bundle's tar headers, or of the rig's test layers, fails here.
 * Each pin lists the header's non-zero runs as [offset, latin1 text]; every
 * other byte is zero.
 */
import { expect } from 'chai';
import { encodeTarHeader } from '../../src/bundle-format/index.js';
import { writeTar } from '../rig/tar-writer.js';

type Runs = ReadonlyArray<readonly [number, string]>;

function block(runs: Runs): Buffer {
  const b = Buffer.alloc(512);
  for (const [offset, text] of runs) b.write(text, offset, 'latin1');
  return b;
}

const blob = `blobs/sha256/${'ab'.repeat(32)}`;

const pins: ReadonlyArray<{
  readonly what: string;
  readonly header: () => Buffer;
  readonly runs: Runs;
}> = [
  {
    what: 'a small file at the epoch (oci-layout)',
    header: () => encodeTarHeader({ path: 'oci-layout', size: 31, type: 'file', mtime: 0 }),
    runs: [
      [0, 'oci-layout'],
      [100, '0000644\x000000000\x000000000\x0000000000037\x0000000000000\x00007755\x00 0'],
      [257, 'ustar\x0000'],
    ],
  },
  {
    what: 'a directory with an mtime (SOURCE_DATE_EPOCH)',
    header: () =>
      encodeTarHeader({ path: 'blobs/', size: 0, type: 'directory', mtime: 1700000000 }),
    runs: [
      [0, 'blobs/'],
      [100, '0000755\x000000000\x000000000\x0000000000000\x0014524770400\x00007110\x00 5'],
      [257, 'ustar\x0000'],
    ],
  },
  {
    what: 'a blob',
    header: () => encodeTarHeader({ path: blob, size: 123456789, type: 'file', mtime: 1700000000 }),
    runs: [
      [0, blob],
      [100, '0000644\x000000000\x000000000\x0000726746425\x0014524770400\x00024323\x00 0'],
      [257, 'ustar\x0000'],
    ],
  },
  {
    what: 'a blob of 8 GiB and more (base-256 size)',
    header: () =>
      encodeTarHeader({ path: blob, size: 9 * 1024 ** 3 + 5, type: 'file', mtime: 1700000000 }),
    runs: [
      [0, blob],
      [100, '0000644\x000000000\x000000000\x00\x80'],
      [131, '\x02@'],
      [135, '\x0514524770400\x00023537\x00 0'],
      [257, 'ustar\x0000'],
    ],
  },
  {
    what: "the rig's directory (owner root)",
    header: () => writeTar([{ name: 'etc/' }]).subarray(0, 512),
    runs: [
      [0, 'etc/'],
      [100, '0000755\x000000000\x000000000\x0000000000000\x0000000000000\x00010330\x00 5'],
      [257, 'ustar\x0000root'],
      [297, 'root'],
    ],
  },
  {
    what: "the rig's file (owner root)",
    header: () =>
      writeTar([{ name: 'etc/hosts', data: Buffer.from('127.0.0.1 x\n') }]).subarray(0, 512),
    runs: [
      [0, 'etc/hosts'],
      [100, '0000644\x000000000\x000000000\x0000000000014\x0000000000000\x00011406\x00 0'],
      [257, 'ustar\x0000root'],
      [297, 'root'],
    ],
  },
];

describe('tar headers, pinned byte for byte', () => {
  for (const pin of pins) {
    it(`encodes ${pin.what} as it always has`, () => {
      const actual = pin.header();
      expect(actual.length).to.equal(512);
      expect(actual.toString('hex')).to.equal(block(pin.runs).toString('hex'));
    });
  }
});
