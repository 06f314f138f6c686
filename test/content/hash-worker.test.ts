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

  it('hashes 3-byte pieces, pieces across its 1 MiB staging buffer, and ones larger than it alike', async () => {
    const worker = new Sha256Worker();
    const local = createHash('sha256');
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const sizes = [3, 65_536, 3, 1_048_570, 3 * 1024 * 1024, 1];
    let at = 0;
    for (let i = 0; at < data.length; i++) {
      const chunk = data.subarray(at, at + (sizes[i % sizes.length] ?? 1));
      at += chunk.length;
      await worker.update(chunk);
      local.update(chunk);
    }
    expect(await worker.finish()).to.equal(local.digest('hex'));
  });

  it('asks the caller to wait once 8 MiB are queued', async () => {
    const worker = new Sha256Worker();
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let waits = 0;
    for (let i = 0; i < 48; i++) {
      const full = worker.update(chunk);
      if (full !== undefined) {
        waits++;
        await full;
      }
    }
    expect(waits).to.be.greaterThan(0);
    await worker.finish();
  });

  it('wakes every caller waiting for room at once, not only the last (the file sink has several slots out)', async () => {
    const worker = new Sha256Worker();
    const local = createHash('sha256');
    const waits: Array<Promise<void>> = [];
    for (let i = 0; i < 48; i++) {
      const chunk = Buffer.alloc(1024 * 1024, i);
      local.update(chunk);
      const full = worker.update(chunk);
      if (full !== undefined) waits.push(full);
    }
    expect(waits.length).to.be.greaterThan(1);
    await Promise.all(waits);
    expect(await worker.finish()).to.equal(local.digest('hex'));
  });

  it('stops making callers wait for room once its thread is gone', async () => {
    const worker = new Sha256Worker();
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let full: Promise<void> | undefined;
    for (let i = 0; i < 48 && full === undefined; i++) full = worker.update(chunk);
    expect(full).to.not.equal(undefined);
    await worker.abandon();
    await full;
    expect(worker.update(Buffer.alloc(64 * 1024 * 1024))).to.equal(undefined);
  });

  it('gives the empty digest for no input, and can be abandoned', async () => {
    expect(await new Sha256Worker().finish()).to.equal(createHash('sha256').digest('hex'));
    const w = new Sha256Worker();
    await w.update(Buffer.from('x'));
    await w.abandon();
  });
});
