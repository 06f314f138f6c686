import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { BlobCache } from '../../src/cache/blob-cache.js';
import { BlobRelay } from '../../src/bundle-writer/blob-relay.js';
import type { BlobChunks } from '../../src/content/blob-chunks.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

const KiB = 1024;

/** A blob of `pieces` pieces of `size` bytes, all of byte `fill`. */
function blob(
  fill: number,
  pieces: number,
  size = 16 * KiB,
): { desc: Descriptor; parts: Buffer[] } {
  const parts = Array.from({ length: pieces }, () => Buffer.alloc(size, fill));
  const digest = `sha256:${createHash('sha256').update(Buffer.concat(parts)).digest('hex')}`;
  return { desc: { mediaType: 'application/octet-stream', digest, size: pieces * size }, parts };
}

/** The pieces as a fetch gives them, counting how many were pulled. */
function fetchOf(parts: readonly Buffer[], pulled: { n: number }): BlobChunks {
  return (async function* () {
    for (const p of parts) {
      pulled.n++;
      await Promise.resolve();
      yield p;
    }
  })();
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('blob relay: fetched blobs through memory into the bundle writer', () => {
  let dir: TrackedDir;
  let cache: BlobCache;
  beforeEach(async () => {
    dir = await makeTempDir('blob-relay');
    cache = new BlobCache(dir.path);
  });
  afterEach(() => dir.stop());

  it('hands the writer the bytes in pieces of the size asked for, and nothing goes to the cache', async () => {
    const a = blob(1, 8, 5 * KiB);
    const relay = new BlobRelay(cache, () => 0, 64 * KiB, 16 * KiB);
    relay.expect(a.desc.digest);
    const sizes: number[] = [];
    const read = (async () => {
      for await (const c of relay.open(a.desc.digest)) sizes.push(c.length);
    })();
    await relay.deliver(a.desc, fetchOf(a.parts, { n: 0 }), false, 'blob a');
    await read;
    expect(sizes).to.deep.equal([16 * KiB, 16 * KiB, 8 * KiB]);
    expect(await cache.has(a.desc)).to.equal(false);
  });

  it('hands the writer the bytes of the blob it reads as they arrive', async () => {
    const a = blob(1, 8);
    const relay = new BlobRelay(cache, () => 0, 32 * KiB, 16 * KiB);
    relay.expect(a.desc.digest);
    const read = readAll(relay.open(a.desc.digest));
    await relay.deliver(a.desc, fetchOf(a.parts, { n: 0 }), false, 'blob a');
    expect(await read).to.deep.equal(Buffer.concat(a.parts));
    expect(relay.delivered(a.desc.digest)).to.equal(true);
    expect(await cache.has(a.desc)).to.equal(false);
  });

  it('pauses a delivery ahead of the writer once the budget is held, and resumes it as the writer reads', async () => {
    const first = blob(1, 2);
    const ahead = blob(2, 8);
    const rank = (d: string): number => (d === first.desc.digest ? 0 : 1);
    const relay = new BlobRelay(cache, rank, 32 * KiB, 16 * KiB);
    relay.expect(first.desc.digest);
    relay.expect(ahead.desc.digest);
    // The writer reads the first blob as it arrives.
    const firstDone = relay.deliver(first.desc, fetchOf(first.parts, { n: 0 }), false, 'first');
    expect(await readAll(relay.open(first.desc.digest))).to.deep.equal(Buffer.concat(first.parts));
    await firstDone;
    const pulled = { n: 0 };
    const delivery = relay.deliver(ahead.desc, fetchOf(ahead.parts, pulled), false, 'ahead');
    for (let i = 0; i < 20; i++) await tick();
    // Three pieces of 16 KiB are more than 32 KiB: the third one paused it.
    expect(pulled.n).to.equal(3);
    expect(await readAll(relay.open(ahead.desc.digest))).to.deep.equal(Buffer.concat(ahead.parts));
    await delivery;
    expect(pulled.n).to.equal(8);
    expect(relay.spilled).to.equal(0);
  });

  it('spills the farthest paused delivery to the cache when the writer waits for a blob whose fetch has not started', async () => {
    const wanted = blob(1, 2);
    const near = blob(2, 2);
    const far = blob(3, 3);
    const order = [wanted, near, far].map((b) => b.desc.digest);
    const relay = new BlobRelay(cache, (d) => order.indexOf(d), 40 * KiB, 16 * KiB);
    for (const d of order) relay.expect(d);
    // Blobs ahead of the writer: the first is held whole (32 KiB), the
    // second pauses at its first piece (48 KiB held) and keeps its slot.
    await relay.deliver(near.desc, fetchOf(near.parts, { n: 0 }), false, 'near');
    const farDone = relay.deliver(far.desc, fetchOf(far.parts, { n: 0 }), false, 'far');
    for (let i = 0; i < 20; i++) await tick();
    expect(relay.spilled).to.equal(0);
    const read = readAll(relay.open(wanted.desc.digest));
    await farDone;
    expect(relay.spilled).to.equal(1);
    expect(await cache.has(far.desc)).to.equal(true);
    // The freed slot fetches the blob the writer waits for.
    await relay.deliver(wanted.desc, fetchOf(wanted.parts, { n: 0 }), false, 'wanted');
    expect(await read).to.deep.equal(Buffer.concat(wanted.parts));
    expect(await readAll(relay.open(near.desc.digest))).to.deep.equal(Buffer.concat(near.parts));
    expect(await readAll(relay.open(far.desc.digest))).to.deep.equal(Buffer.concat(far.parts));
    expect(await cache.has(near.desc)).to.equal(false);
  });

  it('fails the writer reading a blob whose bytes do not match its digest', async () => {
    const a = blob(1, 2);
    const relay = new BlobRelay(cache, () => 0);
    relay.expect(a.desc.digest);
    const read = readAll(relay.open(a.desc.digest)).then(
      () => 'read',
      (err: unknown) => (err as { code?: string }).code,
    );
    const wrong = [a.parts[0]!, Buffer.alloc(16 * KiB, 9)];
    const delivered = await relay.deliver(a.desc, fetchOf(wrong, { n: 0 }), false, 'blob a').then(
      () => 'delivered',
      (err: unknown) => (err as { code?: string }).code,
    );
    expect(delivered).to.equal('E_DIGEST_MISMATCH');
    expect(await read).to.equal('E_DIGEST_MISMATCH');
  });

  it('fails paused deliveries and a waiting writer when the build is abandoned', async () => {
    const wanted = blob(1, 2);
    const ahead = blob(2, 4);
    const order = [wanted.desc.digest, ahead.desc.digest];
    const relay = new BlobRelay(cache, (d) => order.indexOf(d), 16 * KiB, 16 * KiB);
    for (const d of order) relay.expect(d);
    const outcome = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'done',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
    // The writer reads a blob whose fetch stalls after its first piece (so
    // nothing is spilled); the delivery ahead of it pauses.
    const stalled = (async function* () {
      yield wanted.parts[0]!;
      await new Promise(() => undefined);
    })();
    void relay.deliver(wanted.desc, stalled, false, 'wanted').catch(() => undefined);
    const reader = relay.open(wanted.desc.digest);
    // The writer has the first piece (back from the hashing thread): the budget is free again.
    expect((await reader.next()).done).to.equal(false);
    const reading = outcome(readAll(reader));
    const pulled = { n: 0 };
    const delivery = outcome(
      relay.deliver(ahead.desc, fetchOf(ahead.parts, pulled), false, 'ahead'),
    );
    for (let i = 0; i < 10; i++) await tick();
    expect(pulled.n).to.equal(2);
    relay.abandon(new Error('interrupted'));
    expect(await reading).to.equal('interrupted');
    expect(await delivery).to.equal('interrupted');
    expect(pulled.n).to.equal(2);
    expect(relay.spilled).to.equal(0);
  });

  it('fails a delivery whose pieces the hashing thread never gives back, instead of waiting on the budget for ever', async () => {
    const a = blob(1, 8);
    // A budget of one piece: the delivery pauses until pieces come back and are read.
    const relay = new BlobRelay(cache, () => 1, 16 * KiB, 16 * KiB);
    relay.expect(a.desc.digest);
    const delivered = relay.deliver(a.desc, fetchOf(a.parts, { n: 0 }), false, 'blob a').then(
      () => 'delivered',
      (err: unknown) => (err as { code?: string }).code,
    );
    await relay.close();
    expect(await delivered).to.equal('E_INTERNAL');
  });
});
