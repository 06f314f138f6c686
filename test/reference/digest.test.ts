import { expect } from 'chai';
import { formatDigest, parseDigest } from '../../src/reference/index.js';
import { thrown } from '../rig/rejection.js';

const hex64 = 'a1'.repeat(32);
const hex128 = '0f'.repeat(64);

describe('parseDigest', () => {
  it('parses sha256 and sha512', () => {
    expect(parseDigest(`sha256:${hex64}`)).to.deep.equal({ algorithm: 'sha256', hex: hex64 });
    expect(parseDigest(`sha512:${hex128}`)).to.deep.equal({ algorithm: 'sha512', hex: hex128 });
  });

  it('formats back to the input', () => {
    expect(formatDigest(parseDigest(`sha256:${hex64}`))).to.equal(`sha256:${hex64}`);
  });

  const bad = [
    '',
    hex64,
    `:${hex64}`,
    'sha256:',
    `sha256:${hex64.slice(1)}`,
    `sha256:${hex64}0`,
    `sha256:${hex64.toUpperCase()}`,
    `sha256:${'g'.repeat(64)}`,
    `sha512:${hex64}`,
    `sha384:${'a'.repeat(96)}`,
    `md5:${'a'.repeat(32)}`,
    `SHA256:${hex64}`,
    `sha256:${hex64} `,
    `toString:${hex64}`,
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const e = thrown(() => parseDigest(input));
      expect(e.code).to.equal('E_DIGEST_INVALID');
      expect(e.message).to.include(JSON.stringify(input));
      expect(e.hint).to.be.a('string');
    });
  }
});
