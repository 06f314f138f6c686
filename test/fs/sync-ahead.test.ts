import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { SyncAhead } from '../../src/fs/sync-ahead.js';
import { makeTempDir } from '../rig/temp-dir.js';

describe('SyncAhead', () => {
  it('syncs in the background while a file is written, and the file is whole at finish', async () => {
    const dir = await makeTempDir('sync-ahead');
    const path = join(dir.path, 'f');
    const fd = openSync(path, 'wx');
    const piece = Buffer.alloc(256 * 1024, 7);
    const sync = new SyncAhead(fd, 512 * 1024);
    for (let i = 0; i < 12; i++) {
      writeSync(fd, piece);
      sync.wrote(piece.length);
    }
    await sync.finish();
    closeSync(fd);
    const bytes = await readFile(path);
    expect(bytes.length).to.equal(12 * piece.length);
    expect(bytes.every((b) => b === 7)).to.equal(true);
    await dir.stop();
  });

  it('reports a failing descriptor at finish', async () => {
    const sync = new SyncAhead(2 ** 30, 1);
    sync.wrote(10); // the background sync fails quietly
    const err = await sync.finish().catch((e: unknown) => e);
    expect(err).to.have.property('code', 'EBADF');
  });
});
