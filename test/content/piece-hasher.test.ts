import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { PieceHasher } from '../../src/content/piece-hasher.js';
import { rejection } from '../rig/rejection.js';

describe('piece hasher: digests of owned pieces on another thread, without a copy', () => {
  let hasher: PieceHasher;
  beforeEach(() => {
    hasher = new PieceHasher();
  });
  afterEach(() => hasher.close());

  it('digests pieces like node:crypto and hands their bytes back in memory moved back', async () => {
    const hash = hasher.open('sha256');
    const local = createHash('sha256');
    for (let i = 0; i < 5; i++) {
      const piece = Buffer.allocUnsafeSlow(100_000 + i);
      randomBytes(piece.length).copy(piece);
      const expected = Buffer.from(piece);
      local.update(piece);
      const sent = hash.update(piece);
      // The memory moved: the piece reads as empty until it comes back.
      expect(piece.length).to.equal(0);
      const back = await sent;
      expect(back.equals(expected)).to.equal(true);
    }
    expect(await hash.digest()).to.equal(local.digest('hex'));
  });

  it('hashes the part of the memory a piece shows, and keeps digests apart on one thread', async () => {
    const a = hasher.open('sha256');
    const b = hasher.open('sha512');
    const whole = Buffer.allocUnsafeSlow(4096);
    randomBytes(4096).copy(whole);
    const shown = whole.subarray(100, 3000);
    const expectedA = createHash('sha256').update(shown).digest('hex');
    const other = Buffer.allocUnsafeSlow(10);
    other.fill(7);
    const expectedB = createHash('sha512').update(other).digest('hex');
    const [backA, backB] = await Promise.all([a.update(shown), b.update(other)]);
    expect(backA.length).to.equal(2900);
    expect(backA.byteOffset).to.equal(100);
    expect(backB.equals(Buffer.alloc(10, 7))).to.equal(true);
    expect(await b.digest()).to.equal(expectedB);
    expect(await a.digest()).to.equal(expectedA);
  });

  it("refuses a piece of Node's shared buffer pool, which is not the piece's to move", async () => {
    const pooled = Buffer.from('shared pool');
    const err = await rejection(hasher.open('sha256').update(pooled));
    expect(err.message).to.match(/own its memory/);
    expect(pooled.toString()).to.equal('shared pool');
  });

  it('fails what is asked once closed, a digest opened afterwards too (no thread comes back)', async () => {
    const hash = hasher.open('sha256');
    await hash.update(Buffer.allocUnsafeSlow(10));
    await hasher.close();
    const err = await rejection(hash.digest());
    expect(err.code).to.equal('E_INTERNAL');
    expect(err.message).to.match(/closed/);
    const later = hasher.open('sha256');
    expect((await rejection(later.update(Buffer.allocUnsafeSlow(10)))).message).to.match(/closed/);
  });
});
