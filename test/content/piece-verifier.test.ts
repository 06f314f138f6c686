import { expect } from 'chai';
import { sha256Digest } from '../../src/content/digest.js';
import { PieceHasher } from '../../src/content/piece-hasher.js';
import { PieceVerifier } from '../../src/content/piece-verifier.js';
import { rejectionCode, thrownCode } from '../rig/rejection.js';

/** `data` as owned pieces of at most `size` bytes. */
function piecesOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = Buffer.allocUnsafeSlow(Math.min(size, data.length - at));
    data.copy(piece, 0, at);
    out.push(piece);
  }
  return out;
}

describe('piece verifier: size as pieces pass, digest on the hashing thread', () => {
  const data = Buffer.from('bytes carried into a site with no internet, piece by piece');
  const expected = { digest: sha256Digest(data), size: data.length };
  let hasher: PieceHasher;
  beforeEach(() => {
    hasher = new PieceHasher();
  });
  afterEach(() => hasher.close());

  it('hands every piece on, in order, once back, and accepts the right bytes', async () => {
    const v = new PieceVerifier(hasher, expected, 'blob');
    const seen: Buffer[] = [];
    for (const p of piecesOf(data, 7)) v.update(p, (back) => seen.push(Buffer.from(back)));
    await v.finish();
    expect(Buffer.concat(seen).equals(data)).to.equal(true);
  });

  it('fails a flipped byte with E_DIGEST_MISMATCH once the last piece is hashed', async () => {
    const bad = Buffer.from(data);
    bad[20] = bad[20]! ^ 1;
    const v = new PieceVerifier(hasher, expected, 'blob');
    for (const p of piecesOf(bad, 16)) v.update(p, () => undefined);
    expect(await rejectionCode(v.finish())).to.equal('E_DIGEST_MISMATCH');
  });

  it('fails more bytes than expected at once, sending nothing, and fewer at the end, with E_SIZE_MISMATCH', async () => {
    const long = new PieceVerifier(hasher, expected, 'blob');
    const [first, ...rest] = piecesOf(Buffer.concat([data, Buffer.from('!')]), data.length);
    long.update(first!, () => undefined);
    const extra = rest[0]!;
    expect(
      thrownCode(() => {
        long.update(extra, () => undefined);
      }),
    ).to.equal('E_SIZE_MISMATCH');
    expect(extra.length).to.equal(1);
    long.drop();
    const short = new PieceVerifier(hasher, expected, 'blob');
    short.update(piecesOf(data.subarray(0, 10), 10)[0]!, () => undefined);
    expect(await rejectionCode(short.finish())).to.equal('E_SIZE_MISMATCH');
  });

  it('settles once every piece sent is back, before the digest is asked for', async () => {
    const v = new PieceVerifier(hasher, expected, 'blob');
    let back = 0;
    for (const p of piecesOf(data, 5)) v.update(p, () => back++);
    await v.settled();
    expect(back).to.equal(Math.ceil(data.length / 5));
    v.drop();
  });
});
