import { expect } from 'chai';
import { medianBy } from '../../bench/median.js';

describe('bench: the median run', () => {
  it('takes the middle item by its key, the upper one of an even count, leaving the input in order', () => {
    const runs = [{ s: 0.3 }, { s: 0.1 }, { s: 0.2 }, { s: 0.4 }];
    expect(medianBy(runs, (r) => r.s)).to.equal(runs[0]);
    expect(medianBy(runs.slice(0, 3), (r) => r.s)).to.equal(runs[2]);
    expect(runs.map((r) => r.s)).to.deep.equal([0.3, 0.1, 0.2, 0.4]);
  });

  it('refuses to take the median of no runs', () => {
    expect(() => medianBy([], (x: number) => x)).to.throw('a median of no runs');
  });
});
