import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { ask } from '../../src/cli/prompt.js';
import { pushCredentials } from '../../src/cli/push-credentials.js';
import { staticCredentials } from '../../src/registry/auth/credentials/index.js';
import { rejection } from '../rig/rejection.js';

/** A credential store with nothing in it (not the machine's Docker config). */
const nothingStored = staticCredentials({});

/**
 * A terminal that types each answer once its question has been shown, in
 * order: the answer then reaches the prompt that asked, never an earlier one
 * (a readline still open would swallow it), however slow the machine.
 */
function terminal(answers: readonly (readonly [question: string, answer: string])[]): {
  input: PassThrough;
  output: PassThrough;
  shown: () => string;
} {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  let next = 0;
  output.on('data', (d: Buffer) => {
    shown += d.toString();
    const due = answers[next];
    if (due !== undefined && shown.includes(due[0])) {
      next++;
      input.write(`${due[1]}\n`);
    }
  });
  return { input, output, shown: () => shown };
}

describe('interactive credential prompts', () => {
  it('asks a terminal for a user name and a hidden password', async () => {
    const term = terminal([
      ['Username for reg:5000', 'admin'],
      ['Password for admin@reg:5000', 's3cret-pw'],
    ]);
    const creds = await pushCredentials(
      'reg:5000',
      { 'need-credential': true },
      { interactive: true, io: term, stdin: term.input, stored: nothingStored },
    );
    expect(await creds.credentials?.get('reg:5000')).to.deep.equal({
      username: 'admin',
      password: 's3cret-pw',
    });
    expect(term.shown()).to.contain('Username for reg:5000');
    expect(term.shown()).to.contain('Password for admin@reg:5000');
    expect(term.shown()).to.not.contain('s3cret-pw');
  });

  it('uses stored credentials before asking anything', async () => {
    const term = terminal([]);
    const stored = staticCredentials({ 'reg:5000': { username: 'robot', password: 'stored-pw' } });
    const creds = await pushCredentials(
      'reg:5000',
      { 'need-credential': true },
      { interactive: true, io: term, stdin: term.input, stored },
    );
    expect(await creds.credentials?.get('reg:5000')).to.deep.equal({
      username: 'robot',
      password: 'stored-pw',
    });
    expect(term.shown()).to.equal('');
  });

  it('never asks for a dry run: it goes on without credentials', async () => {
    const term = terminal([]);
    const creds = await pushCredentials(
      'reg:5000',
      { 'need-credential': true },
      { interactive: true, dryRun: true, io: term, stdin: term.input, stored: nothingStored },
    );
    expect(creds.credentials).to.equal(undefined);
    expect(term.shown()).to.equal('');
  });

  it('reports input that ends at the prompt as E_CREDENTIALS_MISSING with a hint, not as a bug', async () => {
    const term = terminal([]);
    term.output.on('data', () => term.input.end());
    const err = await rejection(
      pushCredentials(
        'reg:5000',
        { 'need-credential': true },
        { interactive: true, io: term, stdin: term.input, stored: nothingStored },
      ),
    );
    expect(err.code).to.equal('E_CREDENTIALS_MISSING');
    expect(err.exitCode).to.equal(4);
    expect(err.message).to.contain('reg:5000').and.contain('input ended');
    expect(err.hint).to.contain('--password-stdin');
  });

  it('reads a plain answer from a prompt', async () => {
    const term = terminal([['Path: ', '  /tmp/config.json ']]);
    expect(await ask(term, 'Path: ')).to.equal('/tmp/config.json');
  });
});
