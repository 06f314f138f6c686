import { expect } from 'chai';
import { AlignedRing } from '../../src/fs/aligned-ring.js';
import { alignUp, directAlignment } from '../../src/fs/direct-io.js';

describe('AlignedRing', () => {
  it('is one memory cut into slots that start at whole multiples of their size', () => {
    const ring = new AlignedRing(3, 128 * 1024);
    expect(ring.bytes.length).to.equal(3 * 128 * 1024);
    const second = ring.slot(1, 10);
    expect(second.byteOffset - ring.bytes.byteOffset).to.equal(128 * 1024);
    expect(second.length).to.equal(10);
    expect(second.byteOffset % directAlignment).to.equal(0);
    second[0] = 42;
    expect(ring.bytes[128 * 1024]).to.equal(42);
  });

  it('refuses slots that are not whole WebAssembly pages (64 KiB)', () => {
    expect(() => new AlignedRing(2, 1000)).to.throw(/2 slots of 1000 bytes/);
    expect(() => new AlignedRing(0, 65536)).to.throw();
  });
});

describe('direct write alignment', () => {
  it('rounds lengths up to 4 KiB', () => {
    expect(alignUp(0)).to.equal(0);
    expect(alignUp(1)).to.equal(4096);
    expect(alignUp(4096)).to.equal(4096);
    expect(alignUp(4097)).to.equal(8192);
  });
});
