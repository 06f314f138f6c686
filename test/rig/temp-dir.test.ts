import { expect } from 'chai';
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { running } from './processes.js';
import { makeTempDir } from './temp-dir.js';

describe('rig temp folders (makeTempDir)', () => {
  it('makes a fresh folder under the temp dir, tracked until its stop() removes it', async () => {
    const dir = await makeTempDir('bmpack-temp-dir-test-');
    expect(dirname(dir.path)).to.equal(tmpdir());
    expect(basename(dir.path)).to.match(/^bmpack-temp-dir-test-.{6}$/);
    expect(statSync(dir.path).isDirectory()).to.equal(true);
    expect(running()).to.include(dir.name);
    await writeFile(join(dir.path, 'file'), 'x');
    await dir.stop();
    expect(existsSync(dir.path)).to.equal(false);
    expect(running()).not.to.include(dir.name);
    await dir.stop();
  });

  it('makes a different folder on every call', async () => {
    const [a, b] = await Promise.all([makeTempDir('bmpack-same-'), makeTempDir('bmpack-same-')]);
    try {
      expect(a.path).not.to.equal(b.path);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
