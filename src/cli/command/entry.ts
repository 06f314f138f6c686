/**
 * How bmpack starts, around oclif's `run`: `bmpack help TOPIC COMMAND` is
 * `bmpack TOPIC COMMAND --help` (as with git and kubectl), and a command
 * that does not exist is E_USAGE (exit 2) with the closest one ("did you
 * mean"), in --json too, instead of oclif's "command not found".
 */
import { Config, flush, handle, run, type Interfaces } from '@oclif/core';
import { BmpackError } from '../../errors.js';
import { renderError, toErrorJson } from './base-command.js';
import { closest } from '../usage/index.js';

export async function runBmpack(
  argv: readonly string[],
  options: Interfaces.LoadOptions,
): Promise<void> {
  try {
    const config = await Config.load(options);
    const args = helpCommandArgv(argv);
    const unknown = unknownCommand(config, args);
    if (unknown !== undefined) {
      report(unknown, args.includes('--json'));
      process.exitCode = unknown.exitCode;
      return;
    }
    await run(args, config);
    await flush();
  } catch (err) {
    await handle(err instanceof Error ? err : new Error(String(err)));
  }
}

/** `help A B …` → `A B … --help`; `help` alone → `--help`. */
export function helpCommandArgv(argv: readonly string[]): string[] {
  if (argv[0] !== 'help') return [...argv];
  return [...argv.slice(1), '--help'];
}

/** The words before the first flag: the command, and perhaps its arguments. */
function leadingWords(argv: readonly string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith('-'));
  return argv.slice(0, end === -1 ? argv.length : end);
}

interface Catalogue {
  readonly bin: string;
  readonly commandIDs: readonly string[];
  readonly topics: ReadonlyArray<{ readonly name: string }>;
  findCommand(id: string): unknown;
  findTopic(id: string): unknown;
}

/** E_USAGE for words that name no command or topic; undefined when they do (or name none). */
export function unknownCommand(
  config: Catalogue,
  argv: readonly string[],
): BmpackError | undefined {
  const words = leadingWords(argv);
  if (words.length === 0) return undefined;
  for (let k = words.length; k >= 1; k--) {
    if (config.findCommand(words.slice(0, k).join(':')) !== undefined) return undefined;
  }
  if (words.length === 1 && config.findTopic(words[0] ?? '') !== undefined) return undefined;
  const phrase = words.slice(0, 2).join(' ');
  const known = [...config.commandIDs, ...config.topics.map((t) => t.name)].map((id) =>
    id.replaceAll(':', ' '),
  );
  const near = closest(phrase, known) ?? closest(words[0] ?? '', known);
  const list = `\`${config.bin} --help\` lists the commands.`;
  return new BmpackError('E_USAGE', `"${phrase}" is not a ${config.bin} command`, {
    hint: near !== undefined ? `Did you mean "${config.bin} ${near}"? ${list}` : list,
  });
}

function report(e: BmpackError, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(toErrorJson(e, e.hint), null, 2)}\n`);
  else process.stderr.write(`${renderError(e, e.hint, false)}\n`);
}
