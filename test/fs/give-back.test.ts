import { expect } from 'chai';
import { GiveBack } from '../../src/fs/give-back.js';
import { readBufferSize, recycleReadBuffer, takeReadBuffer } from '../../src/fs/read-buffers.js';

describe('GiveBack', () => {
  it('gives a buffer back only once the stream took every byte up to its end', () => {
    const first = takeReadBuffer(readBufferSize);
    const second = takeReadBuffer(readBufferSize);
    const giveBack = new GiveBack();
    giveBack.after(100, first);
    giveBack.after(200, second);
    giveBack.upTo(99);
    const meanwhile = takeReadBuffer(readBufferSize);
    expect([first.buffer, second.buffer]).to.not.include(meanwhile.buffer);
    giveBack.upTo(150);
    // The first one is back and handed out again; the second is still out.
    expect(takeReadBuffer(readBufferSize).buffer).to.equal(first.buffer);
    expect(takeReadBuffer(readBufferSize).buffer).to.not.equal(second.buffer);
    giveBack.upTo(200);
    expect(takeReadBuffer(readBufferSize).buffer).to.equal(second.buffer);
  });

  it('passes over pieces that are not read buffers', () => {
    const giveBack = new GiveBack();
    const foreign = Buffer.alloc(10);
    const mine = takeReadBuffer(readBufferSize);
    giveBack.after(10, foreign);
    giveBack.after(20, mine);
    giveBack.upTo(20);
    expect(takeReadBuffer(readBufferSize).buffer).to.equal(mine.buffer);
    recycleReadBuffer(mine);
  });
});
