/**
 * The one-line usage of a command for a usage error's hint:
 * `bmpack image inspect IMAGE [FLAGS]`, with the flags it cannot run
 * without. Pure.
 */

export interface CommandShape {
  readonly bin: string;
  /** oclif id, `push:images`. */
  readonly id: string;
  readonly args: Readonly<Record<string, { readonly required?: boolean }>>;
  readonly flags: Readonly<
    Record<string, { readonly required?: boolean; readonly helpValue?: string | string[] }>
  >;
}

export function commandName(c: Pick<CommandShape, 'bin' | 'id'>): string {
  return `${c.bin} ${c.id.replaceAll(':', ' ')}`;
}

export function usageLine(c: CommandShape): string {
  const args = Object.entries(c.args).map(([name, a]) =>
    a.required === true ? name.toUpperCase() : `[${name.toUpperCase()}]`,
  );
  const required = Object.entries(c.flags)
    .filter(([, f]) => f.required === true)
    .map(([name, f]) => `--${name} ${valueName(name, f.helpValue)}`);
  return [commandName(c), ...args, ...required, '[FLAGS]'].join(' ');
}

function valueName(name: string, helpValue: string | string[] | undefined): string {
  if (typeof helpValue === 'string') return helpValue;
  return name.toUpperCase().replaceAll('-', '_');
}
