import { expect } from 'chai';
import { incompleteError } from '../../src/copy/incomplete-error.js';
import { BmpackError } from '../../src/errors.js';

const network = (n: number) =>
  new BmpackError('E_NETWORK', `cannot reach 10.0.0.5:5000 (ECONNRESET), tried ${n} times`, {
    hint: 'Check the network.',
  });

describe('the error of a push that left images out', () => {
  const failed = Array.from({ length: 31 }, (_, i) => ({
    image: `10.0.0.5:5000/mirror/some/long/repository/name-${String(i).padStart(2, '0')}:v1.2.3`,
    error: i === 7 ? new BmpackError('E_DENIED', 'access denied by 10.0.0.5:5000') : network(i),
  }));
  const e = incompleteError(failed, 40, { code: 'E_PUSH_INCOMPLETE', verb: 'pushed' });

  it('names the count and the first five images, in lines a terminal can show', () => {
    const lines = e.message.split('\n');
    expect(lines[0]).to.match(/^31 of 40 images were not pushed \(nothing tagged for them\): /);
    expect(lines[0]).to.contain('name-04:v1.2.3 and 26 more.').and.not.contain('name-05');
    for (const line of lines) expect(line.length, line).to.be.lessThan(400);
  });

  it('gives the first cause of each kind, with how many images it stopped', () => {
    const lines = e.message.split('\n').slice(1);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(
      /^ {2}E_NETWORK for 30 images \(first: \S+name-00:v1\.2\.3\): cannot reach/,
    );
    expect(lines[1]).to.match(
      /^ {2}E_DENIED for 1 image \(first: \S+name-07:v1\.2\.3\): access denied/,
    );
  });

  it('carries every image for --json, and the first cause’s hint and exit code', () => {
    expect(e.details.images).to.have.length(31);
    expect(e.details.failed).to.equal(31);
    expect(e.details.causes).to.eql([
      'E_NETWORK (30): cannot reach 10.0.0.5:5000 (ECONNRESET), tried 0 times',
      'E_DENIED (1): access denied by 10.0.0.5:5000',
    ]);
    expect(e.hint).to.equal('Check the network.');
    expect(e.exitCode).to.equal(6);
  });
});
