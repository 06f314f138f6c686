import { expect } from 'chai';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { rejection } from '../rig/rejection.js';

describe('withInterrupt', () => {
  it('lets many requests listen on its signal without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      await withInterrupt((signal) => {
        const controllers = Array.from({ length: 32 }, () => new AbortController());
        for (const c of controllers)
          signal.addEventListener('abort', () => {
            c.abort();
          });
        return Promise.resolve();
      });
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).to.not.include('MaxListenersExceededWarning');
  });

  it('turns SIGINT into E_INTERRUPTED', async () => {
    const err = await rejection(
      withInterrupt(async (signal) => {
        process.emit('SIGINT', 'SIGINT');
        await new Promise((r) => setImmediate(r));
        throw signal.reason;
      }),
    );
    expect(err.code).to.equal('E_INTERRUPTED');
  });
});
