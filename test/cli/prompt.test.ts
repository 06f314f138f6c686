import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { ask } from '../../src/cli/prompt.js';
import { pushCredentials } from '../../src/cli/push-credentials.js';

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
      { interactive: true, io: term, stdin: term.input },
    );
    expect(await creds.credentials?.get('reg:5000')).to.deep.equal({
      username: 'admin',
      password: 's3cret-pw',
    });
    expect(term.shown()).to.contain('Username for reg:5000');
    expect(term.shown()).to.contain('Password for admin@reg:5000');
    expect(term.shown()).to.not.contain('s3cret-pw');
  });

  it('reads a plain answer from a prompt', async () => {
    const term = terminal([['Path: ', '  /tmp/config.json ']]);
    expect(await ask(term, 'Path: ')).to.equal('/tmp/config.json');
  });
});
