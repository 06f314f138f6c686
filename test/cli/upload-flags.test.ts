import { expect } from 'chai';
import { parseSize, uploadFlagSettings } from '../../src/cli/upload-flags.js';
import { thrownCode } from '../rig/rejection.js';

describe('--chunk-size SIZE', () => {
  it('reads bytes and K, M, G as powers of 1024, with or without B or iB', () => {
    expect(parseSize('0')).to.equal(0);
    expect(parseSize('1048576')).to.equal(1048576);
    expect(parseSize('512B')).to.equal(512);
    expect(parseSize('16K')).to.equal(16 * 1024);
    expect(parseSize('64MiB')).to.equal(64 * 1024 * 1024);
    expect(parseSize('16M')).to.equal(16 * 1024 * 1024);
    expect(parseSize('8mb')).to.equal(8 * 1024 * 1024);
    expect(parseSize('1GiB')).to.equal(1024 ** 3);
  });

  it('is E_USAGE for what is not a size', () => {
    for (const bad of ['', 'big', '-1', '1.5M', '16XB', '16T', '99999999999999999999']) {
      expect(
        thrownCode(() => parseSize(bad)),
        bad,
      ).to.equal('E_USAGE');
    }
  });

  it('gives the library no chunkSize when the flag is absent', () => {
    expect(uploadFlagSettings({})).to.eql({});
    expect(uploadFlagSettings({ 'chunk-size': '16M' })).to.eql({ chunkSize: 16 * 1024 * 1024 });
  });
});
