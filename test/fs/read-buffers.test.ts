import { expect } from 'chai';
import { readBufferSize, recycleReadBuffer, takeReadBuffer } from '../../src/fs/read-buffers.js';

describe('recycled read buffers', () => {
  it('gives a piece back and hands its memory out again', () => {
    const piece = takeReadBuffer(1000);
    expect(piece.length).to.equal(1000);
    recycleReadBuffer(piece.subarray(10, 20));
    const again = takeReadBuffer(readBufferSize);
    expect(again.buffer).to.equal(piece.buffer);
    expect(again.length).to.equal(readBufferSize);
    recycleReadBuffer(again);
  });

  it('ignores a second give-back of the same memory, so it is never handed out twice', () => {
    const piece = takeReadBuffer(64);
    recycleReadBuffer(piece);
    recycleReadBuffer(piece);
    const a = takeReadBuffer(64);
    const b = takeReadBuffer(64);
    expect(a.buffer).to.not.equal(b.buffer);
    recycleReadBuffer(a);
    recycleReadBuffer(b);
  });

  it('ignores pieces it did not hand out, and does not recycle buffers above its size', () => {
    const foreign = Buffer.allocUnsafeSlow(readBufferSize);
    recycleReadBuffer(foreign);
    expect(takeReadBuffer(1).buffer).to.not.equal(foreign.buffer);
    const big = takeReadBuffer(readBufferSize + 1);
    expect(big.length).to.equal(readBufferSize + 1);
    recycleReadBuffer(big);
    expect(takeReadBuffer(readBufferSize).buffer).to.not.equal(big.buffer);
  });

  it('never hands out memory that is still out', () => {
    const held = Array.from({ length: 10 }, () => takeReadBuffer(readBufferSize));
    expect(new Set(held.map((b) => b.buffer)).size).to.equal(10);
    for (const b of held) recycleReadBuffer(b);
  });
});
