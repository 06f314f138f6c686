import { expect } from 'chai';
import { Pieces } from '../../src/bundle-writer/relay-pieces.js';
import { readBufferSize } from '../../src/fs/read-buffers.js';

/** Cuts a blob of `size` bytes, arriving in 64 KiB reads, into pieces. */
function cut(size: number): Buffer[] {
  const out: Buffer[] = [];
  const pieces = new Pieces(size, readBufferSize, (p) => out.push(p));
  const blob = Buffer.alloc(size, 7);
  for (let at = 0; at < size; at += 65536) pieces.add(blob.subarray(at, at + 65536));
  pieces.flush();
  return out;
}

describe('relay pieces', () => {
  it('gathers reads into megabyte pieces of recycled read buffers, the bytes in order', () => {
    const size = 3 * readBufferSize + 5000;
    const pieces = cut(size);
    expect(pieces.map((p) => p.length)).to.deep.equal([
      readBufferSize,
      readBufferSize,
      readBufferSize,
      5000,
    ]);
    expect(Buffer.concat(pieces).every((b) => b === 7)).to.equal(true);
    for (const p of pieces.slice(0, 3)) expect(p.buffer.byteLength).to.equal(readBufferSize);
  });

  it('gives a small blob, and a blob’s small end, memory of its own size, not a megabyte', () => {
    const [small] = cut(4500);
    expect(small?.length).to.equal(4500);
    expect(small?.buffer.byteLength).to.be.below(readBufferSize / 4);
    const end = cut(readBufferSize + 5000).at(-1);
    expect(end?.buffer.byteLength).to.be.below(readBufferSize / 4);
  });
});
