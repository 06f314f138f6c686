import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  CheckType,
  decompressXzFile,
  encodeBlockHeader,
  encodeIndex,
  encodeStreamFooter,
  encodeStreamHeader,
  openXzRange,
  readXzIndex,
  storedBlockHeaderFields,
} from '../../src/xz/index.js';
import { runTool } from '../rig/processes.js';
import { makeForeignFiles, type ForeignFiles } from './foreign-files.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { collect, text, xzTool } from './xz-kit.js';
import { rejectionCode } from '../rig/rejection.js';

describe('xz decompressXzFile', () => {
  let work: TrackedDir;
  let foreign: ForeignFiles;
  before(async () => {
    work = await makeTempDir('bmpack-xz-');
    foreign = await makeForeignFiles(work.path);
  });
  after(async () => {
    await work.stop();
  });

  it('decodes files from xz-utils with every check type', async () => {
    for (const file of [foreign.multiBlock, foreign.singleBlock, foreign.sha256, foreign.noCheck]) {
      expect((await collect(decompressXzFile(file))).equals(foreign.content), file).to.equal(true);
    }
  });

  it('decodes every concatenated stream and the padding between them', async () => {
    const whole = await collect(decompressXzFile(foreign.concatenatedFile));
    expect(whole.equals(foreign.concatenated)).to.equal(true);
  });

  it('reads empty blocks, which XzWriter refuses to write but the format allows', async () => {
    // Built from the format functions: a 1-byte block, an empty one (LZMA2 end
    // marker only, CRC32 of nothing), then a 2-byte block.
    const block = (content: Buffer): { bytes: Buffer; unpadded: number } => {
      const header = encodeBlockHeader(storedBlockHeaderFields(content.length));
      const lzma2 =
        content.length === 0
          ? Buffer.of(0)
          : Buffer.concat([Buffer.of(1, 0, content.length - 1), content, Buffer.of(0)]);
      const padding = Buffer.alloc((4 - ((header.length + lzma2.length) % 4)) % 4);
      const check = Buffer.alloc(4);
      check.writeUInt32LE(crc32(content));
      return {
        bytes: Buffer.concat([header, lzma2, padding, check]),
        unpadded: header.length + lzma2.length + 4,
      };
    };
    const contents = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('bc')];
    const blocks = contents.map(block);
    const index = encodeIndex(
      blocks.map((b, i) => ({
        unpaddedSize: b.unpadded,
        uncompressedSize: contents[i]?.length ?? 0,
      })),
    );
    const file = join(work.path, 'empty-block.xz');
    await writeFile(
      file,
      Buffer.concat([
        encodeStreamHeader(CheckType.Crc32),
        ...blocks.map((b) => b.bytes),
        index,
        encodeStreamFooter(CheckType.Crc32, index.length),
      ]),
    );
    await runTool(xzTool(), ['-t', file]);
    expect((await collect(decompressXzFile(file))).toString()).to.equal('abc');
    const xzIndex = await readXzIndex(file);
    expect(xzIndex.blocks.map((b) => b.uncompressedSize)).to.deep.equal([1, 0, 2]);
    expect((await collect(openXzRange(file, xzIndex, 0, 2))).toString()).to.equal('ab');
  });

  it('fails with E_XZ_INVALID for a file that is not xz, E_IO for a missing one', async () => {
    const file = join(work.path, 'not.xz');
    await writeFile(file, text(3, 1000));
    expect(await rejectionCode(collect(decompressXzFile(file)))).to.equal('E_XZ_INVALID');
    expect(await rejectionCode(collect(decompressXzFile(join(work.path, 'missing.xz'))))).to.equal(
      'E_IO',
    );
  });
});
