import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckType,
  Crc64,
  XzFormatError,
  blockHeaderSize,
  checkSize,
  createBlockCheck,
  decodeVli,
  encodeBlockHeader,
  encodeIndex,
  encodeStreamFooter,
  encodeStreamHeader,
  encodeVli,
  indexSize,
  lzma2DictionarySize,
  parseBlockHeader,
  parseIndex,
  parseStreamFooter,
  parseStreamHeader,
  storedBlockLayout,
  storedChunkCount,
  storedLzma2Size,
  vliSize,
} from '../../src/xz/index.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { data, text, xzList, xzTool } from './xz-kit.js';

function formatError(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof XzFormatError ? 'XzFormatError' : `other: ${String(err)}`;
  }
  return undefined;
}

describe('xz format math', () => {
  describe('VLI (§1.2)', () => {
    const values = [
      0,
      1,
      0x7f,
      0x80,
      0x3fff,
      0x4000,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 49,
      Number.MAX_SAFE_INTEGER,
    ];

    it('round-trips and takes ceil(bits / 7) bytes', () => {
      for (const v of values) {
        const bytes = encodeVli(v);
        expect(bytes.length, `size of ${v}`).to.equal(
          Math.max(1, Math.ceil(v.toString(2).length / 7)),
        );
        expect(vliSize(v)).to.equal(bytes.length);
        expect(decodeVli(bytes, 0)).to.deep.equal({ value: v, size: bytes.length });
      }
    });

    it('matches the spec examples byte for byte', () => {
      expect([...encodeVli(0x80)]).to.deep.equal([0x80, 0x01]);
      expect([...encodeVli(300)]).to.deep.equal([0xac, 0x02]);
    });

    it('decodes at an offset within bounds', () => {
      const buf = Uint8Array.of(0xff, 0xac, 0x02, 0x05);
      expect(decodeVli(buf, 1)).to.deep.equal({ value: 300, size: 2 });
      expect(formatError(() => decodeVli(buf, 1, 2))).to.equal('XzFormatError');
    });

    it('refuses non-minimal, overlong, cut-short and too large encodings', () => {
      expect(formatError(() => decodeVli(Uint8Array.of(0x80, 0x00), 0))).to.equal('XzFormatError');
      expect(formatError(() => decodeVli(new Uint8Array(10).fill(0x81), 0))).to.equal(
        'XzFormatError',
      );
      expect(formatError(() => decodeVli(Uint8Array.of(0x80), 0))).to.equal('XzFormatError');
      // 2^56: valid for xz, beyond what a JavaScript number holds exactly.
      const big = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
      expect(formatError(() => decodeVli(big, 0))).to.equal('XzFormatError');
      expect(() => encodeVli(-1)).to.throw(RangeError);
      expect(() => encodeVli(0.5)).to.throw(RangeError);
    });
  });

  describe('check sizes (§2.1.1.2)', () => {
    it('follows the table for every ID', () => {
      const sizes = Array.from({ length: 16 }, (_, id) => checkSize(id));
      expect(sizes).to.deep.equal([0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64]);
      expect(checkSize(CheckType.Sha256)).to.equal(32);
      expect(() => checkSize(16)).to.throw(RangeError);
    });

    it('computes CRC64 as xz does (check value "123456789" and xz --list)', async () => {
      const ascii = new TextEncoder().encode('123456789');
      expect(Buffer.from(new Crc64().update(ascii).digest()).readBigUInt64LE()).to.equal(
        0x995dc9bbdf1939fan,
      );
      // Split updates (odd sizes, not multiples of eight) give the same digest.
      const bytes = data(64, 100_003);
      const split = new Crc64().update(bytes.subarray(0, 5)).update(bytes.subarray(5, 77_777));
      split.update(bytes.subarray(77_777));
      expect(split.digest()).to.deep.equal(new Crc64().update(bytes).digest());
      // xz --list -vv prints each Block's check value: big-endian hex of the CRC64.
      const work = await makeTempDir('bmpack-xz-');
      try {
        const file = join(work.path, 'crc64.bin');
        await writeFile(file, bytes);
        await runTool(xzTool(), ['-k', '-C', 'crc64', file]);
        const [block] = (await xzList(`${file}.xz`)).blocks;
        const listed = (await runTool(xzTool(), ['--robot', '-lvv', `${file}.xz`])).toString();
        const value = listed
          .split('\n')
          .find((l) => l.startsWith('block'))
          ?.split('\t')[10];
        expect(block?.check).to.equal('CRC64');
        expect(Buffer.from(new Crc64().update(bytes).digest()).reverse().toString('hex')).to.equal(
          value,
        );
      } finally {
        await work.stop();
      }
    });

    it('has a computation for None, CRC32, CRC64, SHA-256 and refuses reserved IDs', () => {
      for (const id of [CheckType.None, CheckType.Crc32, CheckType.Crc64, CheckType.Sha256]) {
        const check = createBlockCheck(id);
        check.update(Uint8Array.of(1, 2, 3));
        expect(check.digest().length).to.equal(checkSize(id));
      }
      expect(formatError(() => createBlockCheck(0x02))).to.equal('XzFormatError');
    });
  });

  describe('stream header and footer (§2.1)', () => {
    it('encodes the bytes xz-utils writes and parses them back', async () => {
      const work = await makeTempDir('bmpack-xz-');
      try {
        const file = join(work.path, 'a');
        await writeFile(file, text(1, 5000));
        await runTool(xzTool(), ['-k', '-C', 'crc32', file]);
        const xzFile = await readFile(`${file}.xz`);
        expect(Buffer.from(encodeStreamHeader(CheckType.Crc32))).to.deep.equal(
          xzFile.subarray(0, 12),
        );
        const footer = parseStreamFooter(xzFile.subarray(xzFile.length - 12));
        expect(footer.checkType).to.equal(CheckType.Crc32);
        expect(Buffer.from(encodeStreamFooter(CheckType.Crc32, footer.indexSize))).to.deep.equal(
          xzFile.subarray(xzFile.length - 12),
        );
      } finally {
        await work.stop();
      }
    });

    it('round-trips every check type', () => {
      for (const id of [0, 1, 4, 10, 15]) {
        expect(parseStreamHeader(encodeStreamHeader(id))).to.deep.equal({ checkType: id });
        expect(parseStreamFooter(encodeStreamFooter(id, 4 * 1000))).to.deep.equal({
          checkType: id,
          indexSize: 4000,
        });
      }
    });

    it('refuses bad magic, CRC32 mismatches and reserved flags', () => {
      const header = encodeStreamHeader(1);
      for (const at of [0, 5, 7, 9]) {
        const bad = header.slice();
        bad[at] = (bad[at] ?? 0) ^ 0x10;
        expect(
          formatError(() => parseStreamHeader(bad)),
          `header byte ${at}`,
        ).to.equal('XzFormatError');
      }
      const footer = encodeStreamFooter(1, 8);
      for (const at of [0, 4, 9, 11]) {
        const bad = footer.slice();
        bad[at] = (bad[at] ?? 0) ^ 0x10;
        expect(
          formatError(() => parseStreamFooter(bad)),
          `footer byte ${at}`,
        ).to.equal('XzFormatError');
      }
      expect(() => encodeStreamFooter(1, 6)).to.throw(RangeError);
    });
  });

  describe('block header (§3.1)', () => {
    const lzma2 = [{ id: 0x21, properties: Uint8Array.of(0) }];

    it('round-trips with and without the optional sizes', () => {
      for (const fields of [
        { filters: lzma2 },
        { compressedSize: 1, uncompressedSize: 0, filters: lzma2 },
        { compressedSize: 2 ** 40, uncompressedSize: 2 ** 40 - 77, filters: lzma2 },
        { uncompressedSize: 5, filters: [{ id: 0x03, properties: Uint8Array.of(1) }, ...lzma2] },
      ]) {
        const bytes = encodeBlockHeader(fields);
        expect(bytes.length % 4).to.equal(0);
        expect(bytes.length).to.equal(blockHeaderSize(fields));
        expect(parseBlockHeader(bytes)).to.deep.equal({ size: bytes.length, ...fields });
      }
    });

    it('sizes stored blocks as xz --list reports them', () => {
      expect(blockHeaderSize({ filters: lzma2 })).to.equal(12);
      expect(storedBlockLayout(0).headerSize).to.equal(12);
      expect(storedBlockLayout(65535).headerSize).to.equal(16);
    });

    it('refuses CRC32 mismatches, reserved bits, non-null padding and overruns', () => {
      const good = encodeBlockHeader({ filters: lzma2 });
      const withCrc = (bytes: Uint8Array): Uint8Array => {
        const out = bytes.slice();
        const view = new DataView(out.buffer);
        view.setUint32(out.length - 4, crc32Of(out.subarray(0, out.length - 4)), true);
        return out;
      };
      const flipped = good.slice();
      flipped[2] = 0x22;
      expect(formatError(() => parseBlockHeader(flipped))).to.equal('XzFormatError');
      const reserved = good.slice();
      reserved[1] = 0x04;
      expect(formatError(() => parseBlockHeader(withCrc(reserved)))).to.equal('XzFormatError');
      const padding = good.slice();
      padding[6] = 1;
      expect(formatError(() => parseBlockHeader(withCrc(padding)))).to.equal('XzFormatError');
      const overrun = good.slice();
      overrun[3] = 0x7f; // properties size running past the header
      expect(formatError(() => parseBlockHeader(withCrc(overrun)))).to.equal('XzFormatError');
      expect(formatError(() => parseBlockHeader(Uint8Array.of(0)))).to.equal('XzFormatError');
      expect(formatError(() => parseBlockHeader(good.subarray(0, 8)))).to.equal('XzFormatError');
    });
  });

  describe('index (§4)', () => {
    it('round-trips, padded to four with a CRC32', () => {
      for (const records of [
        [],
        [{ unpaddedSize: 17, uncompressedSize: 0 }],
        Array.from({ length: 1000 }, (_, i) => ({
          unpaddedSize: 5 + i * 977,
          uncompressedSize: i * 2 ** 20,
        })),
      ]) {
        const bytes = encodeIndex(records);
        expect(bytes.length).to.equal(indexSize(records));
        expect(bytes.length % 4).to.equal(0);
        expect(parseIndex(bytes)).to.deep.equal(records);
      }
      expect(encodeIndex([]).length).to.equal(8);
    });

    it('refuses a damaged or inconsistent index', () => {
      const bytes = encodeIndex([{ unpaddedSize: 100, uncompressedSize: 80 }]);
      for (let at = 0; at < bytes.length; at++) {
        const bad = bytes.slice();
        bad[at] = (bad[at] ?? 0) ^ 0x01;
        expect(
          formatError(() => parseIndex(bad)),
          `byte ${at}`,
        ).to.equal('XzFormatError');
      }
      expect(formatError(() => parseIndex(bytes.subarray(0, 4)))).to.equal('XzFormatError');
      expect(formatError(() => parseIndex(new Uint8Array(12)))).to.equal('XzFormatError');
    });
  });

  describe('LZMA2 stored chunks', () => {
    it('costs three bytes per started 64 KiB chunk plus the end byte', () => {
      const cases: [number, number][] = [
        [0, 1],
        [1, 5],
        [65535, 65539],
        [65536, 65540],
        [65537, 65544],
        [2 ** 20 + 3, 2 ** 20 + 3 + 17 * 3 + 1],
      ];
      for (const [n, size] of cases) {
        expect(storedLzma2Size(n), `${n} bytes`).to.equal(size);
        expect(storedChunkCount(n)).to.equal(Math.ceil(n / 65536));
      }
    });

    it('decodes the dictionary-size property (§5.3.1)', () => {
      expect(lzma2DictionarySize(0)).to.equal(4096);
      expect(lzma2DictionarySize(1)).to.equal(6144);
      expect(lzma2DictionarySize(16)).to.equal(1024 * 1024);
      expect(lzma2DictionarySize(40)).to.equal(2 ** 32 - 1);
      expect(formatError(() => lzma2DictionarySize(41))).to.equal('XzFormatError');
      expect(formatError(() => lzma2DictionarySize(0x40))).to.equal('XzFormatError');
    });
  });
});

function crc32Of(bytes: Uint8Array): number {
  const check = createBlockCheck(CheckType.Crc32);
  check.update(bytes);
  return new DataView(check.digest().buffer).getUint32(0, true);
}
