/**
 * Blocks of stored LZMA2 chunks are read a megabyte per preadv when their
 * sizes fit XzWriter's layout (every chunk full but the last). These tests
 * build Blocks by hand whose sizes fit that layout but whose chunks do not,
 * and check that every byte still comes out right, through the general
 * decoder, whether the difference shows in the first batch of chunks or
 * after one was already handed out.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBlockCheck } from '../../src/xz/block-check.js';
import { encodeBlockHeader } from '../../src/xz/block-header.js';
import { hasCanonicalStoredSize } from '../../src/xz/canonical-stored-block.js';
import { CheckType, checkSize } from '../../src/xz/check-type.js';
import { encodeIndex } from '../../src/xz/index-encoding.js';
import { openXzRange, readXzIndex } from '../../src/xz/index.js';
import { LZMA2_FILTER_ID, STORED_DICT_PROPERTY } from '../../src/xz/lzma2-filter.js';
import { writeStoredChunkHeader } from '../../src/xz/lzma2-stored-chunks.js';
import { encodeStreamFooter } from '../../src/xz/stream-footer.js';
import { encodeStreamHeader } from '../../src/xz/stream-header.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { collect, data, writeXzFile, xzDecode } from './xz-kit.js';
import { rejection } from '../rig/rejection.js';

/**
 * One Stream, one Block of stored chunks of the given sizes, CRC32; and
 * where the Block's LZMA2 data starts.
 */
function storedXz(
  content: Buffer,
  chunkSizes: readonly number[],
): { bytes: Buffer; dataStart: number } {
  const lzma2: Buffer[] = [];
  let at = 0;
  chunkSizes.forEach((size, i) => {
    const head = Buffer.alloc(3);
    writeStoredChunkHeader(size, i === 0, head, 0);
    lzma2.push(head, content.subarray(at, at + size));
    at += size;
  });
  expect(at).to.equal(content.length);
  lzma2.push(Buffer.of(0));
  const lzma2Data = Buffer.concat(lzma2);
  const header = Buffer.from(
    encodeBlockHeader({
      compressedSize: lzma2Data.length,
      uncompressedSize: content.length,
      filters: [{ id: LZMA2_FILTER_ID, properties: Uint8Array.of(STORED_DICT_PROPERTY) }],
    }),
  );
  const padding = Buffer.alloc((4 - ((header.length + lzma2Data.length) % 4)) % 4);
  const check = createBlockCheck(CheckType.Crc32);
  check.update(content);
  const crc = Buffer.from(check.digest());
  const index = Buffer.from(
    encodeIndex([
      {
        unpaddedSize: header.length + lzma2Data.length + checkSize(CheckType.Crc32),
        uncompressedSize: content.length,
      },
    ]),
  );
  const streamHeader = Buffer.from(encodeStreamHeader(CheckType.Crc32));
  const bytes = Buffer.concat([
    streamHeader,
    header,
    lzma2Data,
    padding,
    crc,
    index,
    Buffer.from(encodeStreamFooter(CheckType.Crc32, index.length)),
  ]);
  return { bytes, dataStart: streamHeader.length + header.length };
}

const full = 65536;

describe('xz stored Blocks read a megabyte at a time', () => {
  let tmp: TrackedDir;
  before(async () => {
    tmp = await makeTempDir('bmpack-xz-');
  });
  after(async () => {
    await tmp.stop();
  });

  async function readRange(file: string, from: number, length: number): Promise<Buffer> {
    return collect(openXzRange(file, await readXzIndex(file), from, length));
  }

  it('reads XzWriter output in pieces of up to 1 MiB, every range exact', async () => {
    const content = data(1, 3 * 1024 * 1024 + 12345);
    const file = join(tmp.path, 'ours.xz');
    await writeXzFile(file, [content]);
    const pieces: number[] = [];
    const index = await readXzIndex(file);
    for await (const p of openXzRange(file, index, 0, content.length))
      pieces.push((p as Buffer).length);
    expect(Math.max(...pieces)).to.equal(1024 * 1024);
    expect(pieces.length).to.equal(4);
    for (const [from, length] of [
      [0, content.length],
      [1, 65535],
      [65535, 2],
      [1024 * 1024 - 1, 1024 * 1024 + 2],
      [content.length - 7, 7],
    ] as const) {
      expect((await readRange(file, from, length)).equals(content.subarray(from, from + length))).to
        .be.true;
    }
  });

  it('hands a Block whose sizes fit the layout but whose first chunk does not to the general decoder', async () => {
    const content = data(2, 100_000);
    // Two chunks of 50,000 take as many bytes as 65,536 + 34,464.
    const file = join(tmp.path, 'halves.xz');
    await writeFile(file, storedXz(content, [50_000, 50_000]).bytes);
    expect(hasCanonicalStoredSize(content.length, 100_000 + 3 * 2 + 1)).to.be.true;
    expect((await xzDecode(file)).equals(content)).to.be.true;
    expect((await readRange(file, 0, content.length)).equals(content)).to.be.true;
    expect((await readRange(file, 49_990, 20)).equals(content.subarray(49_990, 50_010))).to.be.true;
  });

  it('goes on with the general decoder after a first megabyte that fit, emitting each byte once', async () => {
    const size = 16 * full + 100_000;
    const content = data(3, size);
    const chunks = [...Array<number>(16).fill(full), 50_000, 50_000];
    const file = join(tmp.path, 'late.xz');
    await writeFile(file, storedXz(content, chunks).bytes);
    expect(hasCanonicalStoredSize(size, size + 3 * chunks.length + 1)).to.be.true;
    expect((await xzDecode(file)).equals(content)).to.be.true;
    expect((await readRange(file, 0, size)).equals(content)).to.be.true;
    const from = 16 * full - 10;
    expect((await readRange(file, from, 60_000)).equals(content.subarray(from, from + 60_000))).to
      .be.true;
  });

  it('fails a truncated file with E_XZ_INVALID naming the file', async () => {
    const content = data(4, 2 * 1024 * 1024);
    const file = join(tmp.path, 'whole.xz');
    await writeXzFile(file, [content]);
    const index = await readXzIndex(file);
    const cut = join(tmp.path, 'cut.xz');
    await writeFile(cut, (await readFile(file)).subarray(0, 1024 * 1024));
    const err = await rejection(collect(openXzRange(cut, index, 0, content.length)));
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(err.message).to.contain(cut);
  });

  it('fails a changed byte with a CRC32 mismatch when checks are on', async () => {
    const content = data(5, 3 * full + 5);
    const file = join(tmp.path, 'flip.xz');
    const { bytes, dataStart } = storedXz(content, [full, full, full, 5]);
    // A data byte of the second chunk.
    const at = dataStart + 3 + full + 3 + 10;
    bytes[at] = (bytes[at] ?? 0) ^ 0x40;
    await writeFile(file, bytes);
    const err = await rejection(readRange(file, 0, content.length));
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(err.message).to.match(/CRC32 mismatch/);
  });
});
