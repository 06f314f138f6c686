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

  it('starts a waiting job sooner once it is raised, and ignores raising a lower score or a started job', async () => {
    const slots = bestFirst(1);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((name) => held(log, name));
    const done = jobs.map((j, i) => slots(0, j.job, `k${i}`));
    // a runs; b, c, d wait in order. d is raised above the rest, c only to 0 (no change).
    slots.raise('k3', 5);
    slots.raise('k2', 0);
    slots.raise('k0', 9);
    for (const j of [jobs[0], jobs[3], jobs[1], jobs[2]]) {
      await Promise.resolve();
      j!.finish();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(done);
    expect(log).to.deep.equal(['a', 'd', 'b', 'c']);
  });

  it('keeps the heap in order when several waiting jobs are raised past each other', async () => {
    const slots = bestFirst(1);
    const log: string[] = [];
    const names = Array.from({ length: 12 }, (_, i) => `j${i}`);
    const jobs = names.map((n) => held(log, n));
    const done = jobs.map((j, i) => slots(i % 3, j.job, names[i]));
    for (const [i, n] of names.entries()) if (i % 4 === 1) slots.raise(n, 10 + i);
    for (let i = 0; i < names.length; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      jobs.find((j, k) => log.at(-1) === names[k])?.finish();
    }
    await Promise.all(done);
    // j0 started at once; then the raised ones, highest first; then by score, first come first.
    expect(log).to.deep.equal([
      'j0',
      'j9',
      'j5',
      'j1',
      'j2',
      'j8',
      'j11',
      'j4',
      'j7',
      'j10',
      'j3',
      'j6',
    ]);
  });
});
