import { expect } from 'chai';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckType, readXzIndex, type XzIndex } from '../../src/xz/index.js';
import { makeForeignFiles, type ForeignFiles } from './foreign-files.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { data, writeXzFile, xzList } from './xz-kit.js';
import { rejection, rejectionCode } from '../rig/rejection.js';

/** Our index against what `xz --list -vv` reports for the same file. */
async function expectSameAsXzList(file: string, index: XzIndex): Promise<void> {
  const listed = await xzList(file);
  expect(
    index.streams.map((s) => [
      s.compressedOffset,
      s.compressedSize,
      s.uncompressedOffset,
      s.uncompressedSize,
      s.paddingSize,
      s.blockCount,
    ]),
  ).to.deep.equal(
    listed.streams.map((s) => [
      s.compressedOffset,
      s.compressedSize,
      s.uncompressedOffset,
      s.uncompressedSize,
      s.paddingSize,
      s.blockCount,
    ]),
  );
  expect(
    index.blocks.map((b) => [
      b.compressedOffset,
      b.totalSize,
      b.uncompressedOffset,
      b.uncompressedSize,
    ]),
  ).to.deep.equal(
    listed.blocks.map((b) => [
      b.compressedOffset,
      b.totalSize,
      b.uncompressedOffset,
      b.uncompressedSize,
    ]),
  );
}

describe('xz readXzIndex', () => {
  let work: TrackedDir;
  let foreign: ForeignFiles;
  before(async () => {
    work = await makeTempDir('bmpack-xz-');
    foreign = await makeForeignFiles(work.path);
  });
  after(async () => {
    await work.stop();
  });

  it('reads back the blocks XzWriter reported', async () => {
    const file = join(work.path, 'ours.xz');
    const sizes = [1, 65536, 300_001, 17];
    const summary = await writeXzFile(
      file,
      sizes.map((n, i) => data(i, n)),
    );
    const index = await readXzIndex(file);
    expect(index.blocks).to.deep.equal(summary.blocks);
    expect(index.uncompressedSize).to.equal(summary.uncompressedSize);
    expect(index.fileSize).to.equal(summary.compressedSize);
    await expectSameAsXzList(file, index);
  });

  it('reads a multi-block file from xz -T2 --block-size=100KiB', async () => {
    const index = await readXzIndex(foreign.multiBlock);
    expect(index.blocks.length).to.equal(Math.ceil(foreign.content.length / (100 * 1024)));
    expect(index.uncompressedSize).to.equal(foreign.content.length);
    expect(index.blocks.every((b) => b.checkType === CheckType.Crc64)).to.equal(true);
    await expectSameAsXzList(foreign.multiBlock, index);
  });

  it('reads a single-block file from plain xz, and other check types', async () => {
    const single = await readXzIndex(foreign.singleBlock);
    expect(single.blocks.length).to.equal(1);
    expect(single.blocks[0]?.uncompressedSize).to.equal(foreign.content.length);
    await expectSameAsXzList(foreign.singleBlock, single);
    expect((await readXzIndex(foreign.sha256)).streams[0]?.checkType).to.equal(CheckType.Sha256);
    expect((await readXzIndex(foreign.noCheck)).streams[0]?.checkType).to.equal(CheckType.None);
  });

  it('walks concatenated streams and stream padding backwards', async () => {
    const index = await readXzIndex(foreign.concatenatedFile);
    expect(index.streams.length).to.equal(2);
    expect(index.streams.map((s) => s.paddingSize)).to.deep.equal([8, 4]);
    expect(index.streams[1]?.firstBlock).to.equal(2);
    expect(index.streams[1]?.uncompressedOffset).to.equal(300_000);
    expect(index.uncompressedSize).to.equal(foreign.concatenated.length);
    expect(index.blocks.map((b) => b.checkType)).to.include.members([
      CheckType.Crc32,
      CheckType.Crc64,
    ]);
    await expectSameAsXzList(foreign.concatenatedFile, index);
  });

  it('refuses what is not an xz file with E_XZ_INVALID naming the file', async () => {
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['zeros', Buffer.alloc(4096)],
      ['junk', data(5, 4096)],
      ['odd size', Buffer.concat([await readFile(foreign.singleBlock), Buffer.alloc(2)])],
      ['leading padding', Buffer.concat([Buffer.alloc(4), await readFile(foreign.singleBlock)])],
      [
        'trailing garbage',
        Buffer.concat([await readFile(foreign.singleBlock), Buffer.from('JUNK')]),
      ],
    ];
    for (const [name, bytes] of cases) {
      const file = join(work.path, `bad-${name.replace(' ', '-')}`);
      await writeFile(file, bytes);
      const err = await rejection(readXzIndex(file));
      expect(err.code, name).to.equal('E_XZ_INVALID');
      expect(err.hint, name).to.include(file);
      expect(err.details['file']).to.equal(file);
      expect(err.cause, name).to.be.instanceOf(Error);
    }
  });

  it('refuses truncated files', async () => {
    const original = await readFile(foreign.multiBlock);
    for (const cut of [4, 12, 16, Math.floor(original.length / 2 / 4) * 4, original.length - 1]) {
      const file = join(work.path, `truncated-${cut}.xz`);
      await writeFile(file, original);
      await truncate(file, original.length - cut);
      expect(await rejectionCode(readXzIndex(file)), `cut ${cut}`).to.equal('E_XZ_INVALID');
    }
  });

  it('reports a missing file as E_IO', async () => {
    expect(await rejectionCode(readXzIndex(join(work.path, 'missing.xz')))).to.equal('E_IO');
  });
});
