import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Sha256Worker } from '../../src/content/hash-worker.js';

describe('sha256 on a worker thread', () => {
  it('hashes queued chunks exactly like node:crypto, even when the caller reuses its buffers', async () => {
    const worker = new Sha256Worker();
    const local = createHash('sha256');
    const scratch = Buffer.alloc(70_000);
    for (let i = 0; i < 20; i++) {
      randomBytes(scratch.length).copy(scratch);
      const chunk = scratch.subarray(0, 1000 + i * 3000);
      await worker.update(chunk);
      local.update(chunk);
    }
    expect(await worker.finish()).to.equal(local.digest('hex'));
  });

  it('gives the empty digest for no input, and can be abandoned', async () => {
    expect(await new Sha256Worker().finish()).to.equal(createHash('sha256').digest('hex'));
    const w = new Sha256Worker();
    await w.update(Buffer.from('x'));
    await w.abandon();
  });
});
