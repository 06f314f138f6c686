import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  encodeTarHeader,
  tarEntrySpan,
  tarPadding,
  tarTrailerSize,
} from '../../src/bundle-format/index.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { requireTool } from '../rig/tools.js';

describe('tar codec, read by GNU tar', () => {
  it('makes an archive that GNU tar lists and extracts byte for byte', async () => {
    const tar = requireTool('tar', 'tar');
    const data = Buffer.from('{"imageLayoutVersion": "1.0.0"}');
    const blob = Buffer.alloc(1000, 7);
    const parts = [
      encodeTarHeader({ path: 'oci-layout', size: data.length, type: 'file', mtime: 0 }),
      data,
      Buffer.alloc(tarPadding(data.length)),
      encodeTarHeader({ path: 'blobs/', size: 0, type: 'directory', mtime: 0 }),
      encodeTarHeader({ path: 'blobs/x', size: blob.length, type: 'file', mtime: 0 }),
      blob,
      Buffer.alloc(tarPadding(blob.length)),
      Buffer.alloc(tarTrailerSize),
    ];
    const archive = Buffer.concat(parts);
    expect(archive.length).to.equal(
      tarEntrySpan(data.length) + tarEntrySpan(0) + tarEntrySpan(blob.length) + tarTrailerSize,
    );
    const work = await makeTempDir('bmpack-tar-');
    const dir = work.path;
    try {
      await writeFile(join(dir, 'a.tar'), archive);
      const listing = (await runTool(tar, ['-tvf', join(dir, 'a.tar')])).toString();
      expect(listing).to.match(/-rw-r--r-- 0\/0\s+31 1970-01-01 00:00 oci-layout/);
      expect(listing).to.match(/drwxr-xr-x 0\/0\s+0 1970-01-01 00:00 blobs\//);
      await runTool(tar, ['-xf', join(dir, 'a.tar'), '-C', dir]);
      expect((await readFile(join(dir, 'blobs/x'))).equals(blob)).to.equal(true);
    } finally {
      await work.stop();
    }
  });
});
