import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

describe('piece hasher in a process of its own', () => {
  it('keeps the process alive only while an answer is due: it ends on its own once the digest is in', () => {
    const module = new URL('../../src/content/piece-hasher.ts', import.meta.url).href;
    const script = `
      const { PieceHasher } = await import(${JSON.stringify(module)});
      const hash = new PieceHasher().open('sha256');
      await hash.update(Buffer.allocUnsafeSlow(1000).fill(1));
      console.log(await hash.digest());
    `;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.signal, 'killed by the timeout: the idle thread kept the process alive').to.equal(
      null,
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(
      createHash('sha256').update(Buffer.alloc(1000, 1)).digest('hex'),
    );
  });
});
