import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import {
  decompressXzFile,
  encodeIndex,
  openXzRange,
  readXzIndex,
  type XzBlockInfo,
  type XzIndex,
} from '../../src/xz/index.js';
import { runTool } from '../rig/processes.js';
import { makeForeignFiles, type ForeignFiles } from './foreign-files.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { collect, data, withBothDecoders, writeXzFile, xzTool } from './xz-kit.js';
import { rejection, rejectionCode } from '../rig/rejection.js';

describe('xz corruption', () => {
  let work: TrackedDir;
  let foreign: ForeignFiles;
  let ours: string;
  let original: Buffer;
  let index: XzIndex;
  let counter = 0;

  before(async () => {
    work = await makeTempDir('bmpack-xz-');
    foreign = await makeForeignFiles(work.path);
    ours = join(work.path, 'ours.xz');
    // Block 1 (100_002 bytes) has Block Padding, block 2 declares no sizes.
    await writeXzFile(ours, [data(1, 100_000), data(2, 100_002), data(3, 50_000)]);
    original = await readFile(ours);
    index = await readXzIndex(ours);
  });
  after(async () => {
    await work.stop();
  });

  /** A copy of `source` with the byte at `offset` changed. */
  async function damaged(source: Buffer, offset: number, value?: number): Promise<string> {
    const bytes = Buffer.from(source);
    bytes[offset] = value ?? (bytes[offset] ?? 0) ^ 0x20;
    const file = join(work.path, `damaged-${counter++}.xz`);
    await writeFile(file, bytes);
    return file;
  }

  const block = (i: number): XzBlockInfo => {
    const b = index.blocks[i];
    if (b === undefined) throw new Error(`no block ${i}`);
    return b;
  };

  /** E_XZ_INVALID naming the file and the block, from a range over `target` and from a whole decode. */
  async function expectBlockError(file: string, idx: XzIndex, target: XzBlockInfo): Promise<void> {
    const err = await rejection(
      collect(openXzRange(file, idx, target.uncompressedOffset, target.uncompressedSize)),
    );
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(err.details['file']).to.equal(file);
    expect(err.details['blockOffset']).to.equal(target.compressedOffset);
    expect(err.hint).to.include(file);
    expect(await rejectionCode(collect(decompressXzFile(file)))).to.equal('E_XZ_INVALID');
    // xz-utils agrees the file is broken.
    expect(await rejectionCode(runTool(xzTool(), ['-t', file]))).to.match(/^not a BmpackError/);
  }

  it('a flipped data byte fails its block check, and only its block', async () => {
    const b = block(1);
    const file = await damaged(original, b.compressedOffset + 16 + 3 + 70_000);
    const idx = await readXzIndex(file);
    await expectBlockError(file, idx, b);
    const before = block(0);
    const intact = await collect(
      openXzRange(file, idx, before.uncompressedOffset, before.uncompressedSize),
    );
    expect(intact.equals(data(1, 100_000))).to.equal(true);
  });

  it('a damaged check, block header, chunk header, end marker or block padding is caught', async () => {
    const b = block(1);
    const dataEnd = b.compressedOffset + b.unpaddedSize - 4;
    const offsets = [
      b.compressedOffset + b.totalSize - 1, // the CRC32 check
      b.compressedOffset + 2, // block header: compressed size
      b.compressedOffset + 16, // first chunk's control byte
      b.compressedOffset + 16 + 65_539 + 1, // second chunk's size
      dataEnd - 1, // LZMA2 end marker
    ];
    for (const offset of offsets) await expectBlockError(await damaged(original, offset), index, b);
    // Block Padding (§3.3) must be null.
    expect(b.totalSize).to.be.greaterThan(b.unpaddedSize);
    await expectBlockError(await damaged(original, dataEnd, 0x01), index, b);
    // A first chunk without dictionary reset (0x02) is refused, as liblzma does.
    await expectBlockError(await damaged(original, b.compressedOffset + 16, 0x02), index, b);
  });

  it('an index that disagrees with the blocks is caught when the block is read', async () => {
    const records = index.blocks.map((b) => ({
      unpaddedSize: b.unpaddedSize,
      uncompressedSize: b.uncompressedSize,
    }));
    const original2 = Buffer.from(original);
    for (const [i, change] of [
      [1, { uncompressedSize: 100_003 }], // disagrees with the declared size in the header
      [2, { uncompressedSize: 50_001 }], // no declared sizes: found by decoding
    ] as const) {
      const patched = records.map((r, k) => (k === i ? { ...r, ...change } : r));
      const newIndex = encodeIndex(patched);
      expect(newIndex.length).to.equal(encodeIndex(records).length);
      const bytes = Buffer.from(original2);
      const indexOffset = bytes.length - 12 - newIndex.length;
      Buffer.from(newIndex).copy(bytes, indexOffset);
      const file = join(work.path, `index-${i}.xz`);
      await writeFile(file, bytes);
      const idx = await readXzIndex(file);
      const b = idx.blocks[i];
      if (b === undefined) throw new Error('no block');
      await expectBlockError(file, idx, b);
    }
  });

  it('a flipped byte in the index, footer or stream header fails readXzIndex', async () => {
    const indexOffset = block(2).compressedOffset + block(2).totalSize;
    for (const offset of [
      indexOffset,
      indexOffset + 2,
      original.length - 14,
      original.length - 6,
      original.length - 1,
      1,
      7,
    ]) {
      const file = await damaged(original, offset);
      const err = await rejection(readXzIndex(file));
      expect(err.code, `offset ${offset}`).to.equal('E_XZ_INVALID');
      expect(err.hint).to.include(file);
    }
  });

  it('truncation fails readXzIndex', async () => {
    for (const keep of [original.length - 4, original.length - 12, 150_000, 12]) {
      const file = join(work.path, `cut-${keep}.xz`);
      await writeFile(file, original.subarray(0, keep));
      expect(await rejectionCode(readXzIndex(file)), `keep ${keep}`).to.equal('E_XZ_INVALID');
    }
  });

  it('damage inside LZMA-compressed blocks of xz-utils files is caught, by either decoder', async () => {
    await withBothDecoders(async () => {
      for (const source of [foreign.multiBlock, foreign.sha256, foreign.singleBlock]) {
        const bytes = await readFile(source);
        const idx = await readXzIndex(source);
        const target = idx.blocks[Math.min(2, idx.blocks.length - 1)];
        if (target === undefined) throw new Error('no block');
        // In the compressed data, and in the check field.
        for (const offset of [
          target.compressedOffset + Math.floor(target.unpaddedSize / 2),
          target.compressedOffset + target.totalSize - 1,
        ]) {
          await expectBlockError(await damaged(bytes, offset), idx, target);
        }
      }
    });
  });

  it('reports what xz says when it refuses a file, as E_XZ_INVALID naming the file', async () => {
    // An xz on PATH that finds fault with everything, as xz does with damaged data.
    const bin = join(work.path, 'failing-xz');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'xz'),
      '#!/bin/sh\necho "xz: (stdin): Compressed data is corrupt" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    try {
      const index = await readXzIndex(foreign.singleBlock);
      const err = await rejection(
        collect(openXzRange(foreign.singleBlock, index, 0, index.uncompressedSize)),
      );
      expect(err.code).to.equal('E_XZ_INVALID');
      expect(err.message).to.contain(foreign.singleBlock).and.contain('Compressed data is corrupt');
    } finally {
      process.env.PATH = path;
    }
  });
});
