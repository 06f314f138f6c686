import { expect } from 'chai';
import { BmpackError, ExitCode } from '../src/errors.js';

describe('BmpackError categoryFromCause', () => {
  const network = new BmpackError('E_NETWORK', 'cannot reach r', { reason: 'rate-limited' });

  it('takes the exit code and reason of a BmpackError cause, and keeps its own code', () => {
    const e = new BmpackError('E_PUSH_INCOMPLETE', 'not pushed', {
      cause: network,
      categoryFromCause: true,
    });
    expect(e.code).to.equal('E_PUSH_INCOMPLETE');
    expect(e.exitCode).to.equal(ExitCode.network);
    expect(e.reason).to.equal('rate-limited');
  });

  it('keeps its own category without the option, or when the cause is no BmpackError', () => {
    expect(new BmpackError('E_PUSH_INCOMPLETE', 'x', { cause: network }).exitCode).to.equal(
      ExitCode.registry,
    );
    const plain = new BmpackError('E_PUSH_INCOMPLETE', 'x', {
      cause: new Error('boom'),
      categoryFromCause: true,
    });
    expect(plain.exitCode).to.equal(ExitCode.registry);
    expect(plain.reason).to.equal(undefined);
  });
});
