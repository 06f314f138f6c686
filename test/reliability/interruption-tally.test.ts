import { expect } from 'chai';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { WorkTally } from '../../src/cli/work-tally.js';
import type { ProgressEvent } from '../../src/events.js';
import { rejection } from '../rig/rejection.js';

describe('interruption: what is done', () => {
  it('counts finished images and the bytes of the phases it is told about', () => {
    const tally = new WorkTally({ images: 'pushed', phases: { upload: 'sent' } });
    const seen: ProgressEvent[] = [];
    const listener = tally.tee((e) => seen.push(e));
    expect(tally.summary()).to.equal('nothing yet');
    listener({ type: 'images-total', total: 4 });
    listener({ type: 'bytes-total', phase: 'upload', total: 4096 });
    listener({ type: 'bytes-total', phase: 'write', total: 999 });
    listener({ type: 'image-done', ref: 'r/a:1' });
    listener({ type: 'bytes', phase: 'upload', n: 1024 });
    listener({ type: 'bytes', phase: 'upload', n: 1024 });
    expect(tally.summary()).to.equal('1 of 4 images pushed, 2.0 KiB of 4.0 KiB sent');
    expect(seen).to.have.length(6);
    // Bytes sent again after a failed attempt never make it look like more than all.
    listener({ type: 'bytes', phase: 'upload', n: 8192 });
    expect(tally.summary()).to.contain('4.0 KiB of 4.0 KiB sent');
  });

  it('ends the E_INTERRUPTED message with what is done, and keeps the hint', async () => {
    const err = await rejection(
      withInterrupt(
        async (signal) => {
          process.emit('SIGINT', 'SIGINT');
          await new Promise((r) => setImmediate(r));
          throw signal.reason;
        },
        () => '2 of 4 images pushed',
      ),
    );
    expect(err.code).to.equal('E_INTERRUPTED');
    expect(err.message).to.equal(
      'interrupted by SIGINT; done before stopping: 2 of 4 images pushed',
    );
    expect(err.hint).to.match(/again/);
  });
});
