/**
 * bmctl writes booleans as `--need-credential=false`; oclif's boolean
 * flags take `--flag` / `--no-flag`. Rewrite the bmctl form so both work.
 */
import { BmpackError } from '../errors.js';

export function normalizeBooleanFlags(argv: readonly string[], names: readonly string[]): string[] {
  return argv.map((arg) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m || !names.includes(m[1] ?? '')) return arg;
    const value = (m[2] ?? '').toLowerCase();
    if (value === 'true' || value === '1') return `--${m[1] ?? ''}`;
    if (value === 'false' || value === '0') return `--no-${m[1] ?? ''}`;
    throw new BmpackError('E_USAGE', `${arg}: expected true or false`, {
      hint: `Write --${m[1] ?? ''}=true or --${m[1] ?? ''}=false.`,
    });
  });
}
