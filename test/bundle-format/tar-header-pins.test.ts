/**
 * The 512-byte headers bmpack writes, pinned byte for byte: node-tar's
 * Header encoding (`runs`), so that a change in any byte of a bundle's tar
 * headers, or of the rig's test layers, fails here (a new node-tar that
 * writes other bytes included). `old` pins the bytes earlier bmpack versions
 * wrote for the same entries with their own encoder: bundles in the field
 * hold them, and the decoder must read them as before. Each pin lists the
 * header's non-zero runs as [offset, latin1 text]; every other byte is zero.
 */
import { expect } from 'chai';
import { Header } from 'tar';
import { encodeTarHeader, parseTarHeader } from '../../src/bundle-format/index.js';
import { writeTar } from '../rig/tar-writer.js';
import { asOldHeader } from './old-headers.js';

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
  readonly old: Runs;
}> = [
  {
    what: 'a small file at the epoch (oci-layout)',
    header: () => encodeTarHeader({ path: 'oci-layout', size: 31, type: 'file', mtime: 0 }),
    runs: [
      [0, 'oci-layout'],
      [100, '000644 \x00000000 \x00000000 \x000000000037 \x000000000000 \x00011035 \x000'],
      [257, 'ustar\x0000'],
      [329, '000000 \x00000000 '],
    ],
    old: [
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
      [100, '000755 \x00000000 \x00000000 \x000000000000 \x0014524770400\x00010210 \x005'],
      [257, 'ustar\x0000'],
      [329, '000000 \x00000000 '],
    ],
    old: [
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
      [100, '000644 \x00000000 \x00000000 \x000726746425 \x0014524770400\x00025423 \x000'],
      [257, 'ustar\x0000'],
      [329, '000000 \x00000000 '],
    ],
    old: [
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
      [100, '000644 \x00000000 \x00000000 \x00\x80'],
      [131, '\x02@'],
      [135, '\x0514524770400\x00024657 \x000'],
      [257, 'ustar\x0000'],
      [329, '000000 \x00000000 '],
    ],
    old: [
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
      [100, '000755 \x00000000 \x00000000 \x000000000000 \x000000000000 \x00011410 \x005'],
      [257, 'ustar\x0000root'],
      [297, 'root'],
      [329, '000000 \x00000000 '],
    ],
    old: [
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
      [100, '000644 \x00000000 \x00000000 \x000000000014 \x000000000000 \x00012466 \x000'],
      [257, 'ustar\x0000root'],
      [297, 'root'],
      [329, '000000 \x00000000 '],
    ],
    old: [
      [0, 'etc/hosts'],
      [100, '0000644\x000000000\x000000000\x0000000000014\x0000000000000\x00011406\x00 0'],
      [257, 'ustar\x0000root'],
      [297, 'root'],
    ],
  },
];

describe('tar headers, pinned byte for byte', () => {
  for (const pin of pins) {
    it(`encodes ${pin.what} with node-tar's bytes`, () => {
      const actual = pin.header();
      expect(actual.length).to.equal(512);
      expect(actual.toString('hex')).to.equal(block(pin.runs).toString('hex'));
    });

    it(`reads ${pin.what} as earlier versions wrote it, as the same entry`, () => {
      const old = block(pin.old);
      expect(parseTarHeader(old)).to.deep.equal(parseTarHeader(pin.header()));
      const h = new Header(old);
      expect(h.cksumValid).to.equal(true);
      expect(h.size).to.equal(parseTarHeader(old).size);
      // The fixture the bundle-level tests rewrite whole bundles with gives exactly these bytes.
      expect(asOldHeader(pin.header()).toString('hex')).to.equal(old.toString('hex'));
    });
  }
});
