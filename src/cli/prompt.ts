/**
 * Questions on a terminal: a plain line, or a hidden one for passwords
 * (nothing is echoed). Streams are parameters so that tests can answer.
 */
import { Writable } from 'node:stream';

export interface PromptIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

export async function ask(io: PromptIo, question: string, hidden = false): Promise<string> {
  io.output.write(question);
  // readline echoes what is typed to its output: give it a muted one for secrets.
  const echo = hidden
    ? new Writable({
        write: (_c: unknown, _e: BufferEncoding, done: () => void) => {
          done();
        },
      })
    : io.output;
  // node:readline is loaded when a prompt is shown, not at every start.
  const { createInterface } = process.getBuiltinModule('node:readline');
  const rl = createInterface({ input: io.input, output: echo, terminal: hidden });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => {
        reject(new Error('no answer: input closed'));
      });
    });
    if (hidden) io.output.write('\n');
    return answer.trim();
  } finally {
    rl.close();
  }
}
