import { expect } from 'chai';
import { BmpackError } from '../../src/errors.js';
import { cliHint } from '../../src/cli/error-hints.js';

import BundleCreate from '../../commands/bundle/create.js';
import ImageInspect from '../../commands/image/inspect.js';
import PushImages from '../../commands/push/images.js';

const push = new Set(Object.keys(PushImages.flags));
const create = new Set(Object.keys(BundleCreate.flags));
const imageInspect = new Set(Object.keys(ImageInspect.flags));
/** A command with a Docker config flag and no other login flag. */
const configOnly = new Set(['docker-config']);

describe('cliHint: library reasons in the running command’s flags', () => {
  const rejected = new BmpackError('E_UNAUTHORIZED', 'refused', {
    hint: 'Log in to r.io, and check the user and password.',
    reason: 'credentials-rejected',
    details: { registry: 'r.io' },
  });

  it('names the login flags where the command has them all (push, create), and the Docker config alone otherwise', () => {
    const full =
      'Log in to r.io (--username with --password-stdin, or skopeo login / docker login, or --authfile / --docker-config), and check the user and password.';
    expect(cliHint(rejected, push)).to.equal(full);
    expect(cliHint(rejected, create)).to.equal(full);
    expect(cliHint(rejected, configOnly))
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
