import { expect } from 'chai';
import { sha256Digest } from '../../src/content/digest.js';
import { ContentVerifier } from '../../src/content/verifier.js';
import { thrownCode } from '../rig/rejection.js';

describe('content verifier', () => {
  const data = Buffer.from('hello, air-gapped world');
  const expected = { digest: sha256Digest(data), size: data.length };

  it('accepts the right bytes in any chunking', () => {
    const v = new ContentVerifier(expected, 'blob');
    v.update(data.subarray(0, 5));
    v.update(data.subarray(5));
    expect(
      thrownCode(() => {
        v.finish();
      }),
    ).to.equal(undefined);
  });

  it('fails on a flipped byte with E_DIGEST_MISMATCH', () => {
    const bad = Buffer.from(data);
    bad[3] = (bad[3] ?? 0) ^ 1;
    const v = new ContentVerifier(expected, 'blob');
    v.update(bad);
    expect(
      thrownCode(() => {
        v.finish();
      }),
    ).to.equal('E_DIGEST_MISMATCH');
  });

  it('fails on truncation with E_SIZE_MISMATCH', () => {
    const v = new ContentVerifier(expected, 'blob');
    v.update(data.subarray(0, 4));
    expect(
      thrownCode(() => {
        v.finish();
      }),
    ).to.equal('E_SIZE_MISMATCH');
  });

  it('fails as soon as there are too many bytes', () => {
    const v = new ContentVerifier(expected, 'blob');
    expect(
      thrownCode(() => {
        v.update(Buffer.concat([data, Buffer.from('x')]));
      }),
    ).to.equal('E_SIZE_MISMATCH');
  });
});
