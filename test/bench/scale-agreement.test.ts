import { expect } from 'chai';
import { agreementSection, parseScaleRuns, type ScaleRun } from '../../bench/scale-agreement.js';

const run = (gigabytes: number, walls: Record<string, number>): ScaleRun => ({
  date: '2026-12-05',
  gigabytes,
  images: gigabytes * 50,
  walls,
});

describe('scale bench: seconds per GB at 1 GB and at 8 GB', () => {
  it('waits for both sizes', () => {
    expect(agreementSection({ '1g': run(1, { create: 3 }) })).to.equal(undefined);
  });

  it('gives each step its rates, whether they agree within 10 %, and the fixed and marginal parts', () => {
    const text = agreementSection({
      '1g': run(1, { 'bundle create': 3.3, 'push images': 4.5, 'bundle inspect': 0.1 }),
      '8g': run(8, { 'bundle create': 19.3, 'push images': 36.9, 'bundle inspect': 0.15 }),
    });
    const rows = (text ?? '')
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| step') && !l.startsWith('| ---'));
    // create: 3.30 vs 2.41 s/GB; the line through (1, 3.3) and (8, 19.3): 2.29 s/GB + 1.01 s.
    expect(rows[0]).to.equal('| bundle create | 3.30 | 2.41 | 1.37 | **no** | 1.01 | 2.29 |');
    expect(rows[1]).to.equal('| push images | 4.50 | 4.61 | 0.98 | yes | -0.13 | 4.63 |');
    expect(rows[2]).to.contain('| n/a: per image, not per GB |');
  });

  it('gives registry-bound steps as multiples of the floor measured in the same run', () => {
    const floor = 'floor: serving (distribution, every blob once)';
    const text = agreementSection({
      '1g': run(1, { 'bundle create': 3.2, [floor]: 1.3 }),
      '8g': run(8, { 'bundle create': 20, [floor]: 8 }),
    });
    expect(text).to.contain(`| bundle create | ${floor} | 2.46 | 2.50 | 0.98 |`);
  });

  it('keeps only well-formed runs from the runs file', () => {
    const runs = parseScaleRuns(
      JSON.stringify({
        '1g': run(1, { create: 3 }),
        '8g': { date: 'x', walls: { create: 'slow' } },
      }),
    );
    expect(Object.keys(runs)).to.deep.equal(['1g']);
  });
});
