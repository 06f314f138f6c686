import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Sha256Worker } from '../../src/content/hash-worker.js';
import { SharedRing } from '../../src/fs/shared-ring.js';

describe('sha256 on a worker thread', () => {
  it('hashes shared memory in place, in order, and says when each view is done', async () => {
    const worker = new Sha256Worker();
    const local = createHash('sha256');
    const ring = new SharedRing(2, 64 * 1024);
    for (let round = 0; round < 6; round++) {
      const view = ring.slot(round % 2, round === 3 ? 1 : 40_000 + round);
      view.set(randomBytes(view.length));
      local.update(view);
      await worker.updateShared(view);
      // Done: the slot may be filled again without changing what was hashed.
      view.fill(0);
    }
    expect(await worker.finish()).to.equal(local.digest('hex'));
  });

  it('keeps the order of views given without waiting between them', async () => {
    const worker = new Sha256Worker();
    const ring = new SharedRing(8, 64 * 1024);
    const local = createHash('sha256');
    const done: Array<Promise<void>> = [];
    for (let i = 0; i < 8; i++) {
      const view = ring.slot(i);
      view.set(randomBytes(view.length));
      local.update(view);
      done.push(worker.updateShared(view));
    }
    await Promise.all(done);
    expect(await worker.finish()).to.equal(local.digest('hex'));
  });

  it('gives the empty digest for no input', async () => {
    expect(await new Sha256Worker().finish()).to.equal(createHash('sha256').digest('hex'));
  });

  it('fails a view, instead of leaving it waiting, once the worker is gone', async () => {
    const worker = new Sha256Worker();
    const view = new SharedRing(1, 64 * 1024).slot(0);
    await worker.abandon();
    const err = await worker.updateShared(view).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
  });
});
