import { expect } from 'chai';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  XzWriter,
  decompressXzFile,
  readXzIndex,
  storedBlockLayout,
  storedStreamSize,
  type XzSummary,
} from '../../src/xz/index.js';
import { runTool } from '../rig/processes.js';
import { writeTar } from '../rig/tar-writer.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import {
  collect,
  data,
  pythonDecode,
  tarTool,
  wasmDecode,
  writeXzFile,
  xzDecode,
  xzList,
  xzTool,
} from './xz-kit.js';
import { rejection, rejectionCode } from '../rig/rejection.js';

/** A Writable that keeps everything, slowly enough to exercise backpressure. */
function memorySink(
  highWaterMark = 64 * 1024,
): Writable & { bytes: () => Buffer; peak: () => number } {
  const parts: Buffer[] = [];
  let peak = 0;
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      parts.push(Buffer.from(chunk));
      peak = Math.max(peak, sink.writableLength);
      setImmediate(done);
    },
  });
  return Object.assign(sink, { bytes: () => Buffer.concat(parts), peak: () => peak });
}

const cases: { name: string; sizes: number[]; declareSizes?: boolean }[] = [
  { name: '1 byte', sizes: [1] },
  { name: '65535 bytes', sizes: [65535] },
  { name: '65536 bytes (one full chunk)', sizes: [65536] },
  { name: '65537 bytes', sizes: [65537] },
  { name: '1 MiB + 3', sizes: [2 ** 20 + 3] },
  { name: 'blocks of mixed sizes', sizes: [3, 2 * 65536 + 7, 200_000, 1, 65535, 65536] },
  {
    name: 'blocks of mixed sizes without declared sizes',
    sizes: [70_000, 5, 131_072],
    declareSizes: false,
  },
  { name: 'no blocks at all', sizes: [] },
];

describe('xz XzWriter', () => {
  let work: TrackedDir;
  before(async () => {
    work = await makeTempDir('bmpack-xz-');
  });
  after(async () => {
    await work.stop();
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.name}: every reader accepts it and the sizes are as predicted`, async () => {
      const file = join(work.path, `case-${i}.xz`);
      const blocks = c.sizes.map((n, k) => data(1000 * i + k, n));
      const expected = Buffer.concat(blocks);
      const declare = c.declareSizes !== false;
      const summary = await writeXzFile(file, blocks, { declareSizes: declare, seed: i + 1 });

      // Predicted sizes: whole stream, and each block's layout and offset.
      const { size } = await stat(file);
      expect(size).to.equal(storedStreamSize(c.sizes, declare));
      expect(summary.compressedSize).to.equal(size);
      expect(summary.uncompressedSize).to.equal(expected.length);
      let offset = 12;
      for (const [k, block] of summary.blocks.entries()) {
        const layout = storedBlockLayout(c.sizes[k] ?? -1, declare);
        expect(block.compressedOffset).to.equal(offset);
        expect(block.unpaddedSize).to.equal(layout.unpaddedSize);
        expect(block.totalSize).to.equal(layout.totalSize);
        offset += layout.totalSize;
      }
      expect(summary.indexOffset).to.equal(offset);

      // xz-utils: test, list, decode single- and multithreaded.
      await runTool(xzTool(), ['-t', file]);
      const listed = await xzList(file);
      expect(listed.blocks.length).to.equal(c.sizes.length);
      for (const [k, block] of listed.blocks.entries()) {
        const ours = summary.blocks[k];
        expect(block.compressedOffset).to.equal(ours?.compressedOffset);
        expect(block.uncompressedOffset).to.equal(ours?.uncompressedOffset);
        expect(block.totalSize).to.equal(ours?.totalSize);
        expect(block.uncompressedSize).to.equal(c.sizes[k]);
        expect(block.check).to.equal('CRC32');
        expect(block.sizeFlags).to.equal(declare ? 'cu' : '--');
      }
      expect((await xzDecode(file)).equals(expected)).to.equal(true);
      expect((await xzDecode(file, 2)).equals(expected)).to.equal(true);

      // Independent readers: python's lzma, xz-decompress, and ours.
      expect((await pythonDecode(file)).equals(expected)).to.equal(true);
      expect((await wasmDecode(file)).equals(expected)).to.equal(true);
      expect((await collect(decompressXzFile(file))).equals(expected)).to.equal(true);
      expect((await readXzIndex(file)).blocks).to.deep.equal(summary.blocks);
    });
  }

  it('writes a .tar.xz that tar -xJf extracts, one block per entry', async () => {
    const files = [
      { name: 'a.bin', data: data(1, 100_000) },
      { name: 'dir/', data: undefined },
      { name: 'dir/b.bin', data: data(2, 65536 * 3) },
      { name: 'dir/c.txt', data: Buffer.from('hello\n') },
    ];
    const tar = writeTar(files);
    // Block boundaries at entry headers: each entry's header, data and padding.
    const cuts = [
      0,
      512 + 100_352,
      512 + 100_352 + 512,
      512 + 100_352 + 512 + 512 + 65536 * 3,
      tar.length,
    ];
    const blocks = cuts.slice(1).map((end, k) => tar.subarray(cuts[k], end));
    const file = join(work.path, 'layout.tar.xz');
    const summary = await writeXzFile(file, blocks);
    expect(summary.blocks.length).to.equal(4);
    const out = join(work.path, 'extracted');
    await mkdir(out);
    await runTool(tarTool(), ['-xJf', file, '-C', out]);
    expect((await readFile(join(out, 'a.bin'))).equals(files[0]?.data ?? Buffer.alloc(0))).to.equal(
      true,
    );
    expect(
      (await readFile(join(out, 'dir/b.bin'))).equals(files[2]?.data ?? Buffer.alloc(0)),
    ).to.equal(true);
    expect(await readFile(join(out, 'dir/c.txt'), 'utf8')).to.equal('hello\n');
  });

  it('holds back at most one partial chunk and respects backpressure', async () => {
    const sink = memorySink();
    const writer = new XzWriter(sink);
    const payload = data(7, 2 * 65536 + 5);
    await writer.beginBlock(payload.length);
    const start = writer.bytesWritten;
    for (let at = 0; at < 65536 * 2; at += 4096)
      await writer.write(payload.subarray(at, at + 4096));
    // Two full chunks are out (3-byte header each), nothing is held back.
    expect(writer.bytesWritten - start).to.equal(2 * (3 + 65536));
    await writer.write(payload.subarray(65536 * 2));
    expect(writer.bytesWritten - start).to.equal(2 * (3 + 65536));
    await writer.endBlock();
    // Big writes go out as subarrays, waiting for the sink to drain in between.
    const big = data(8, 3 * 2 ** 20);
    await writer.beginBlock();
    for (let at = 0; at < big.length; at += 2 ** 20)
      await writer.write(big.subarray(at, at + 2 ** 20));
    await writer.endBlock();
    const summary: XzSummary = await writer.finish();
    expect(sink.peak()).to.be.at.most(2 ** 20 + 64 * 1024);
    sink.end();
    await finished(sink);
    const bytes = sink.bytes();
    expect(bytes.length).to.equal(summary.compressedSize);
    const file = join(work.path, 'memory.xz');
    await writeFile(file, bytes);
    expect((await xzDecode(file)).equals(Buffer.concat([payload, big]))).to.equal(true);
  });

  it('refuses misuse with E_INTERNAL', async () => {
    const outside = new XzWriter(memorySink());
    expect(await rejectionCode(outside.write(Uint8Array.of(1)))).to.equal('E_INTERNAL');

    const overrun = new XzWriter(memorySink());
    await overrun.beginBlock(3);
    expect(await rejectionCode(overrun.write(new Uint8Array(4)))).to.equal('E_INTERNAL');

    const short = new XzWriter(memorySink());
    await short.beginBlock(3);
    await short.write(new Uint8Array(2));
    expect(await rejectionCode(short.endBlock())).to.equal('E_INTERNAL');
    // A failed writer stays failed.
    expect(await rejectionCode(short.finish())).to.equal('E_INTERNAL');

    const open = new XzWriter(memorySink());
    await open.beginBlock();
    expect(await rejectionCode(open.finish())).to.equal('E_INTERNAL');
    expect(await rejectionCode(new XzWriter(memorySink()).beginBlock(-1))).to.equal('E_INTERNAL');

    // Empty blocks: refused up front when declared, at endBlock() otherwise.
    expect(await rejectionCode(new XzWriter(memorySink()).beginBlock(0))).to.equal('E_INTERNAL');
    const empty = new XzWriter(memorySink());
    await empty.beginBlock();
    expect(await rejectionCode(empty.endBlock())).to.equal('E_INTERNAL');

    const overlapping = new XzWriter(memorySink(1));
    await overlapping.beginBlock();
    const first = overlapping.write(new Uint8Array(100_000));
    expect(await rejectionCode(overlapping.write(Uint8Array.of(1)))).to.equal('E_INTERNAL');
    await first.catch(() => undefined);
  });

  it('reports a failing sink as E_IO naming the output', async () => {
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const writer = new XzWriter(failing, { name: '/bundles/x.tar.xz' });
    const err = await rejection(async () => {
      await writer.beginBlock();
      for (let i = 0; i < 10; i++) await writer.write(new Uint8Array(100_000));
      await writer.endBlock();
      await writer.finish();
    });
    expect(err.code).to.equal('E_IO');
    expect(err.hint).to.include('/bundles/x.tar.xz');
  });
});
