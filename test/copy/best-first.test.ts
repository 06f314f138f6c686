import { expect } from 'chai';
import { bestFirst } from '../../src/copy/best-first.js';

/** A job that runs until its `finish` is called. */
function held(log: string[], name: string): { job: () => Promise<string>; finish: () => void } {
  let finish = (): void => undefined;
  const job = (): Promise<string> => {
    log.push(name);
    return new Promise((resolve) => {
      finish = () => {
        resolve(name);
      };
    });
  };
  return {
    job,
    finish: () => {
      finish();
    },
  };
}

describe('bestFirst slots', () => {
  it('runs at most `concurrency` jobs, and the highest score waiting next', async () => {
    const slots = bestFirst(2);
    const log: string[] = [];
    const jobs = {
      a: held(log, 'a'),
      b: held(log, 'b'),
      low: held(log, 'low'),
      high: held(log, 'high'),
    };
    const results = [
      slots(0, jobs.a.job),
      slots(0, jobs.b.job),
      slots(-5, jobs.low.job),
      slots(7, jobs.high.job),
    ];
    await Promise.resolve();
    expect(log).to.deep.equal(['a', 'b']);
    jobs.a.finish();
    await results[0];
    await Promise.resolve();
    expect(log).to.deep.equal(['a', 'b', 'high']);
    jobs.b.finish();
    jobs.high.finish();
    await Promise.all([results[1], results[3]]);
    await Promise.resolve();
    expect(log).to.deep.equal(['a', 'b', 'high', 'low']);
    jobs.low.finish();
    expect(await Promise.all(results)).to.deep.equal(['a', 'b', 'low', 'high']);
  });

  it('passes a job’s failure to its caller and frees the slot', async () => {
    const slots = bestFirst(1);
    const failed = slots(0, () => Promise.reject(new Error('no')));
    const next = slots(0, () => Promise.resolve('ran'));
    await failed.then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.have.property('message', 'no'),
    );
    expect(await next).to.equal('ran');
  });
});

describe('bestFirst order at scale', () => {
  it('starts thousands of waiting jobs in score order, equal scores first come first served', async () => {
    const slots = bestFirst(1);
    const order: number[] = [];
    let release = (): void => undefined;
    const gate = slots(Infinity, () => new Promise<void>((resolve) => (release = resolve)));
    const scores = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 101);
    const all = scores.map((score, i) =>
      slots(score, () => {
        order.push(i);
        return Promise.resolve();
      }),
    );
    release();
    await Promise.all([gate, ...all]);
    const expected = scores
      .map((score, i) => ({ score, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .map((x) => x.i);
    expect(order).to.deep.equal(expected);
  });
});
