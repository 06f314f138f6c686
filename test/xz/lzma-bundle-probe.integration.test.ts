import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundlePathsInArgv, namesLzmaFile } from '../../src/cli/lzma-argv.js';
import { anyLzmaFile, startsWithLzmaChunk } from '../../src/xz/lzma-bundle-probe.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { text, writeXzFile, xzTool } from './xz-kit.js';

describe('xz: telling an LZMA-compressed archive from its first bytes', () => {
  let tmp: TrackedDir;
  let ours: string;
  let foreign: string;
  let plain: string;
  before(async () => {
    tmp = await makeTempDir('bmpack-xz-');
    ours = join(tmp.path, 'ours.tar.xz');
    await writeXzFile(ours, [text(1, 200_000)]);
    plain = join(tmp.path, 'plain.tar');
    await writeFile(plain, text(2, 200_000));
    foreign = join(tmp.path, 'foreign.tar.xz');
    await runTool('sh', ['-c', `${xzTool()} -T1 -c "${plain}" > "${foreign}"`]);
  });
  after(async () => {
    await tmp.stop();
  });

  it('says yes for xz-utils output and no for bmpack stored Blocks, a tar or a missing file', () => {
    expect(namesLzmaFile(['push', 'images', '--source', foreign])).to.equal(true);
    expect(namesLzmaFile(['push', 'images', `--source=${foreign}`])).to.equal(true);
    expect(namesLzmaFile(['bundle', 'verify', foreign])).to.equal(true);
    expect(namesLzmaFile(['push', 'images', '--source', ours])).to.equal(false);
    expect(namesLzmaFile(['push', 'images', '--source', plain])).to.equal(false);
    expect(namesLzmaFile(['bundle', 'inspect', join(tmp.path, 'absent.tar.xz')])).to.equal(false);
    expect(namesLzmaFile(['--version'])).to.equal(false);
  });

  it('decides from the files it is given, in src/xz; the CLI finds them in its command line', () => {
    expect(anyLzmaFile([plain, foreign])).to.equal(true);
    expect(anyLzmaFile([ours, plain, join(tmp.path, 'absent.tar.xz')])).to.equal(false);
    expect(anyLzmaFile([])).to.equal(false);
    expect(
      bundlePathsInArgv(['push', 'images', '--source', 'a', '--source=b', 'c.xz', '-x.xz', 'd']),
    ).to.deep.equal(['a', 'b', 'c.xz']);
    expect(bundlePathsInArgv(['a.xz', 'b.xz', 'c.xz', 'd.xz', 'e.xz'])).to.have.length(4);
  });

  it('reads the first control byte after the Block Header, whatever its size', () => {
    const header = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4, 0, 0, 0, 0];
    const block = (size: number, control: number): Uint8Array =>
      Uint8Array.from([...header, size / 4 - 1, ...new Array<number>(size - 1).fill(0), control]);
    expect(startsWithLzmaChunk(block(12, 0xe0))).to.equal(true);
    expect(startsWithLzmaChunk(block(16, 0x01))).to.equal(false);
    expect(startsWithLzmaChunk(block(1024, 0x80))).to.equal(true);
    expect(startsWithLzmaChunk(Uint8Array.from([...header, 0]))).to.equal(false);
    expect(startsWithLzmaChunk(Uint8Array.from([1, 2, 3]))).to.equal(false);
  });
});
