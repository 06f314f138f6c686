/**
 * Whatever oclif's parser throws (unknown flag, missing argument, a value
 * it refuses, a file that is not there) as one E_USAGE error: one line
 * saying what is wrong, and a hint with the closest flag when one was
 * mistyped, the command's usage and where its help is. oclif's own errors
 * carry its internals, which `--json` would otherwise print whole.
 */
import { BmpackError } from '../../errors.js';
import { closest } from './did-you-mean.js';
import { commandName, usageLine, type CommandShape } from './usage-line.js';

/** A control sequence (colour) that oclif puts in some messages. */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function oneLine(text: string): string {
  return text
    .replace(ansi, '')
    .replace(/See more help with --help/g, '')
    .replace(/\n\s*Note: [\s\S]*$/, '')
    .replace(/^Parsing (--\S+)\s*/, '$1: ')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function fieldOf(err: Error, key: string): unknown {
  return (err as unknown as Record<string, unknown>)[key];
}

export function usageError(err: Error, c: CommandShape): BmpackError {
  const { message, suggestion } = describe(err, c);
  const help = `Usage: ${usageLine(c)}; \`${commandName(c)} --help\` says what each flag and argument takes.`;
  return new BmpackError('E_USAGE', message, {
    hint: suggestion !== undefined ? `Did you mean ${suggestion}? ${help}` : help,
    cause: err,
  });
}

function describe(err: Error, c: CommandShape): { message: string; suggestion?: string } {
  const flags = fieldOf(err, 'flags');
  if (Array.isArray(flags) && err.message.startsWith('Nonexistent flag')) {
    const given = flags.map(String);
    const first = given[0]?.replace(/^-+/, '').replace(/=.*$/, '') ?? '';
    const near = closest(first, Object.keys(c.flags));
    return {
      message: `unknown flag${given.length === 1 ? '' : 's'} ${given.join(', ')} for ${commandName(c)}`,
      ...(near !== undefined ? { suggestion: `--${near}` } : {}),
    };
  }
  const args = fieldOf(err, 'args');
  if (Array.isArray(args) && err.message.startsWith('Missing')) {
    const names = args.map((a: unknown) =>
      typeof a === 'object' && a !== null && 'name' in a ? String(a.name).toUpperCase() : '?',
    );
    return {
      message: `missing argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`,
    };
  }
  return { message: oneLine(err.message) };
}
