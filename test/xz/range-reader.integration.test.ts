import { expect } from 'chai';
import { join } from 'node:path';
import { openXzRange, readXzIndex, type XzIndex } from '../../src/xz/index.js';
import { makeForeignFiles, type ForeignFiles } from './foreign-files.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { collect, data, withBothDecoders, writeXzFile } from './xz-kit.js';
import { thrownCode } from '../rig/rejection.js';

/** Ranges that start and end inside, at and across Block boundaries. */
function rangesFor(index: XzIndex): [number, number][] {
  const total = index.uncompressedSize;
  const ranges: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, total],
    [total - 1, 1],
    [total, 0],
    [Math.floor(total / 3), Math.floor(total / 3)],
  ];
  for (const b of index.blocks.slice(1, 6)) {
    const edge = b.uncompressedOffset;
    ranges.push([edge, b.uncompressedSize]); // exactly one Block
    ranges.push([edge - 1, 2]); // one byte each side of the boundary
    ranges.push([
      Math.max(0, edge - 70_000),
      Math.min(total - Math.max(0, edge - 70_000), 200_000),
    ]);
  }
  return ranges;
}

describe('xz openXzRange', () => {
  let work: TrackedDir;
  let foreign: ForeignFiles;
  let ours: string;
  let ourContent: Buffer;
  before(async () => {
    work = await makeTempDir('bmpack-xz-');
    foreign = await makeForeignFiles(work.path);
    ours = join(work.path, 'ours.xz');
    const sizes = [512, 70_000, 65536, 1, 300_000, 131_072, 5];
    const blocks = sizes.map((n, i) => data(40 + i, n));
    ourContent = Buffer.concat(blocks);
    await writeXzFile(ours, blocks);
  });
  after(async () => {
    await work.stop();
  });

  const files = (): [string, string, Buffer][] => [
    ['our stored blocks', ours, ourContent],
    ['xz -T2 --block-size=100KiB (LZMA chunks, CRC64)', foreign.multiBlock, foreign.content],
    ['plain xz (one block)', foreign.singleBlock, foreign.content],
    ['xz -C sha256', foreign.sha256, foreign.content],
    ['xz -C none', foreign.noCheck, foreign.content],
    ['concatenated streams with padding', foreign.concatenatedFile, foreign.concatenated],
  ];

  it('yields exactly the requested bytes, within and across blocks, from every kind of file, by either decoder', async () => {
    await withBothDecoders(async (decoder) => {
      for (const [name, file, content] of files()) {
        const index = await readXzIndex(file);
        for (const [start, length] of rangesFor(index)) {
          const got = await collect(openXzRange(file, index, start, length));
          expect(got.length, `${name} ${start}+${length}`).to.equal(length);
          expect(
            got.equals(content.subarray(start, start + length)),
            `${name} ${start}+${length} (${decoder})`,
          ).to.equal(true);
        }
      }
    });
  });

  it('serves several ranges of one file in parallel', async () => {
    for (const [name, file, content] of files()) {
      const index = await readXzIndex(file);
      const ranges = rangesFor(index);
      const results = await Promise.all(
        ranges.map(([s, l]) => collect(openXzRange(file, index, s, l))),
      );
      for (const [k, [s, l]] of ranges.entries()) {
        expect(results[k]?.equals(content.subarray(s, s + l)), `${name} ${s}+${l}`).to.equal(true);
      }
    }
  });

  it('lets go of the LZMA decoder when a stream is destroyed half-read', async () => {
    const index = await readXzIndex(foreign.singleBlock);
    const first = openXzRange(foreign.singleBlock, index, 0, index.uncompressedSize);
    for await (const chunk of first) {
      expect((chunk as Buffer).length).to.be.greaterThan(0);
      break; // destroys the stream
    }
    // xz-decompress decodes one stream at a time: this hangs if the first kept it.
    const again = await collect(openXzRange(foreign.singleBlock, index, 1000, 5000));
    expect(again.equals(foreign.content.subarray(1000, 6000))).to.equal(true);
  });

  it('streams opened together can be read one after the other', async () => {
    const index = await readXzIndex(foreign.multiBlock);
    const ranges: [number, number][] = [
      [900_000, 50_000],
      [10, 300_000],
      [450_000, 1],
    ];
    const streams = ranges.map(([s, l]) => openXzRange(foreign.multiBlock, index, s, l));
    for (const [k, stream] of streams.entries()) {
      const [s, l] = ranges[k] ?? [0, 0];
      expect((await collect(stream)).equals(foreign.content.subarray(s, s + l))).to.equal(true);
    }
  });

  it('refuses ranges outside the file synchronously', async () => {
    const index = await readXzIndex(ours);
    expect(thrownCode(() => openXzRange(ours, index, 0, index.uncompressedSize + 1))).to.equal(
      'E_XZ_INVALID',
    );
    expect(thrownCode(() => openXzRange(ours, index, index.uncompressedSize + 1, 0))).to.equal(
      'E_XZ_INVALID',
    );
    expect(thrownCode(() => openXzRange(ours, index, -1, 2))).to.equal('E_INTERNAL');
    expect(thrownCode(() => openXzRange(ours, index, 0.5, 2))).to.equal('E_INTERNAL');
  });
});
