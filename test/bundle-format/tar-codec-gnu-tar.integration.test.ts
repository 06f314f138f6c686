import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { list } from 'tar';
import {
  encodeTarHeader,
  tarEntrySpan,
  tarPadding,
  tarTrailerSize,
} from '../../src/bundle-format/index.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { requireTool } from '../rig/tools.js';

describe('tar codec, read by GNU tar and by node-tar', () => {
  let temp: TrackedDir;
  let dir: string;
  beforeEach(async () => {
    temp = await makeTempDir('bmpack-tar-');
    dir = temp.path;
  });
  afterEach(() => temp.stop());

  it('makes an archive that GNU tar lists and extracts byte for byte, and node-tar lists', async () => {
    const tar = requireTool('tar', 'tar');
    const data = Buffer.from('{"imageLayoutVersion": "1.0.0"}');
    const blob = Buffer.alloc(1000, 7);
    const parts = [
      encodeTarHeader({ path: 'oci-layout', size: data.length, type: 'file', mtime: 0 }),
      data,
      Buffer.alloc(tarPadding(data.length)),
      encodeTarHeader({ path: 'blobs/', size: 0, type: 'directory', mtime: 1700000000 }),
      encodeTarHeader({ path: 'blobs/x', size: blob.length, type: 'file', mtime: 0 }),
      blob,
      Buffer.alloc(tarPadding(blob.length)),
      Buffer.alloc(tarTrailerSize),
    ];
    const archive = Buffer.concat(parts);
    expect(archive.length).to.equal(
      tarEntrySpan(data.length) + tarEntrySpan(0) + tarEntrySpan(blob.length) + tarTrailerSize,
    );
    const file = join(dir, 'a.tar');
    await writeFile(file, archive);
    const listing = (
      await runTool(tar, ['-tvf', file], { env: { ...process.env, TZ: 'UTC' } })
    ).toString();
    expect(listing).to.match(/-rw-r--r-- 0\/0\s+31 1970-01-01 00:00 oci-layout/);
    expect(listing).to.match(/drwxr-xr-x 0\/0\s+0 2023-11-14 22:13 blobs\//);
    await runTool(tar, ['-xf', file, '-C', dir]);
    expect((await readFile(join(dir, 'blobs/x'))).equals(blob)).to.equal(true);

    const seen: string[] = [];
    const warnings: string[] = [];
    await list({
      file,
      strict: true,
      onwarn: (_code, message) => warnings.push(message),
      onReadEntry: (e) => {
        seen.push(`${e.type} ${e.path} ${e.size} ${e.mode?.toString(8)} ${e.mtime?.getTime()}`);
      },
    });
    expect(warnings).to.deep.equal([]);
    expect(seen).to.deep.equal([
      'File oci-layout 31 644 0',
      'Directory blobs/ 0 755 1700000000000',
      'File blobs/x 1000 644 0',
    ]);
  });

  it('lists an entry of 8 GiB and more: base-256 size, no pax header (a sparse file)', async () => {
    const tar = requireTool('tar', 'tar');
    const size = 9 * 1024 ** 3 + 5;
    const file = join(dir, 'big.tar');
    const fh = await open(file, 'w');
    try {
      await fh.write(encodeTarHeader({ path: 'big', size, type: 'file', mtime: 0 }), 0, 512, 0);
      const after = tarEntrySpan(size);
      await fh.write(
        encodeTarHeader({ path: 'after', size: 0, type: 'file', mtime: 0 }),
        0,
        512,
        after,
      );
      await fh.truncate(after + tarEntrySpan(0) + tarTrailerSize);
    } finally {
      await fh.close();
    }
    const listing = (
      await runTool(tar, ['-tvf', file], { env: { ...process.env, TZ: 'UTC' } })
    ).toString();
    expect(listing).to.match(new RegExp(`-rw-r--r-- 0/0\\s+${size} 1970-01-01 00:00 big\\n`));
    expect(listing).to.match(/-rw-r--r-- 0\/0\s+0 1970-01-01 00:00 after\n/);
  });
});
