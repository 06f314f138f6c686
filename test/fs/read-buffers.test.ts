import { expect } from 'chai';
import {
  movedReadBuffer,
  readBufferSize,
  recycleReadBuffer,
  takeReadBuffer,
} from '../../src/fs/read-buffers.js';

describe('recycled read buffers', () => {
  const half = readBufferSize / 2;

  it('gives a piece back and hands its memory out again', () => {
    const piece = takeReadBuffer(half);
    expect(piece.length).to.equal(half);
    recycleReadBuffer(piece.subarray(10, 20));
    const again = takeReadBuffer(readBufferSize);
    expect(again.buffer).to.equal(piece.buffer);
    expect(again.length).to.equal(readBufferSize);
    recycleReadBuffer(again);
  });

  it('ignores a second give-back of the same memory, so it is never handed out twice', () => {
    const piece = takeReadBuffer(half);
    recycleReadBuffer(piece);
    recycleReadBuffer(piece);
    const a = takeReadBuffer(half);
    const b = takeReadBuffer(half);
    expect(a.buffer).to.not.equal(b.buffer);
    recycleReadBuffer(a);
    recycleReadBuffer(b);
  });

  it('ignores pieces it did not hand out, and does not recycle buffers above its size', () => {
    const foreign = Buffer.allocUnsafeSlow(readBufferSize);
    recycleReadBuffer(foreign);
    expect(takeReadBuffer(half).buffer).to.not.equal(foreign.buffer);
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

  it('gives a small read memory of its own size, never a recycled megabyte', () => {
    const small = takeReadBuffer(1000);
    expect(small.length).to.equal(1000);
    expect(small.buffer.byteLength).to.be.below(readBufferSize / 4);
    recycleReadBuffer(small);
    expect(takeReadBuffer(readBufferSize).buffer).to.not.equal(small.buffer);
  });

  it('takes back memory that moved (to a thread and back) through its new view, and not through the old one', () => {
    const piece = takeReadBuffer(readBufferSize);
    // What a transfer does: the same bytes, now shown by another ArrayBuffer object.
    const memory = piece.buffer;
    if (!(memory instanceof ArrayBuffer)) throw new Error('a read buffer is an ArrayBuffer');
    const moved = Buffer.from(structuredClone(memory, { transfer: [memory] }));
    expect(piece.length).to.equal(0);
    movedReadBuffer(piece, moved);
    recycleReadBuffer(piece);
    expect(takeReadBuffer(readBufferSize).buffer).to.not.equal(moved.buffer);
    recycleReadBuffer(moved);
    const again = takeReadBuffer(readBufferSize);
    expect(again.buffer).to.equal(moved.buffer);
    recycleReadBuffer(again);
  });
});
