import { expect } from 'chai';
import { BmpackError } from '../../src/errors.js';
import { cliHint } from '../../src/cli/error-hints.js';

const push = new Set(['cacert', 'plain-http', 'insecure-skip-tls-verify', 'username']);
for (const f of ['password-stdin', 'docker-config', 'concurrency', 'private-registry']) push.add(f);
const create = new Set(['manifest', 'output', 'platform', 'concurrency', 'insecure-registry']);
create.add('docker-config').add('since');
const imageInspect = new Set(['cacert', 'plain-http', 'insecure-skip-tls-verify']);

describe('cliHint: library reasons in the running command’s flags', () => {
  const rejected = new BmpackError('E_UNAUTHORIZED', 'refused', {
    hint: 'Log in to r.io, and check the user and password.',
    reason: 'credentials-rejected',
    details: { registry: 'r.io' },
  });

  it('names push’s credential flags for push, and create’s for create', () => {
    expect(cliHint(rejected, push)).to.equal(
      'Log in to r.io (--username with --password-stdin, or --docker-config), and check the user and password.',
    );
    expect(cliHint(rejected, create))
      .to.contain('--docker-config PATH')
      .and.not.contain('--username');
  });

  it('finds the registry in a wrapped cause (E_PUSH_INCOMPLETE)', () => {
    const wrapped = new BmpackError('E_PUSH_INCOMPLETE', '1 of 1 images were not pushed', {
      cause: rejected,
      categoryFromCause: true,
    });
    expect(cliHint(wrapped, push)).to.contain('Log in to r.io (--username');
    expect(wrapped.exitCode).to.equal(4);
  });

  it('keeps the library’s words when the command lacks the flag (image inspect has no --concurrency)', () => {
    const limited = new BmpackError('E_RATE_LIMITED', 'limited', {
      hint: 'Wait and re-run with fewer parallel requests, or log in to get a higher limit.',
      reason: 'rate-limited',
    });
    expect(cliHint(limited, imageInspect)).to.equal(limited.hint);
    expect(cliHint(limited, push)).to.contain('lower --concurrency');
  });

  it('passes hints through for errors without a reason', () => {
    const e = new BmpackError('E_NETWORK', 'down', { hint: 'Check the address.' });
    expect(cliHint(e, push)).to.equal('Check the address.');
  });
});
