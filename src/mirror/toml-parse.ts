/**
 * Reading the TOML files runtimes hold (containerd's config.toml and
 * hosts.toml, registries.conf) with smol-toml, a TOML 1.0 parser: duplicate
 * keys and tables are errors, as they are for containerd's and
 * containers/image's own readers. Table keys keep their order in the file
 * (containerd tries `[host."…"]` entries in that order). Dates and times
 * are kept as their text. Pure.
 */
import { parse, TomlDate, TomlError } from 'smol-toml';
import { BmpackError } from '../errors.js';

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

/** The value under `key`, only when the table itself has it (never its prototype's). */
export function tomlGet(table: TomlTable, key: string): TomlValue | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** True for a table (not an array or a scalar). */
export function isTomlTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && !Array.isArray(value);
}

/** The table at `path` below `table`, or undefined when any step is missing or not a table. */
export function tomlTableAt(table: TomlTable, path: readonly string[]): TomlTable | undefined {
  let current: TomlTable = table;
  for (const key of path) {
    const next = tomlGet(current, key);
    if (!isTomlTable(next)) return undefined;
    current = next;
  }
  return current;
}

/** smol-toml's values as bmpack keeps them: dates as their text, big integers as numbers. */
function normalize(value: unknown): TomlValue {
  if (value instanceof TomlDate) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) {
    const table: TomlTable = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty, so that a key named __proto__ stays data.
      Object.defineProperty(table, k, {
        value: normalize(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return table;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  return String(value);
}

/** smol-toml's message without its "Invalid TOML document:" prefix and its code block. */
function problemOf(err: TomlError): string {
  const first = err.message.split('\n')[0] ?? err.message;
  return first.replace(/^Invalid TOML document:\s*/, '');
}

/**
 * Parses a TOML document.
 * @param source names the file in error messages.
 * @throws BmpackError E_CONFIG_INVALID naming the file, line and column of the first problem.
 */
export function parseToml(text: string, source = 'TOML'): TomlTable {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const { line, column } = err;
    throw new BmpackError(
      'E_CONFIG_INVALID',
      `${source}: line ${line}, column ${column}: ${problemOf(err)}`,
      {
        hint: 'Fix the TOML syntax (https://toml.io); runtimes ignore or refuse files they cannot parse.',
        details: { file: source, line, column },
        cause: err,
      },
    );
  }
  const table = normalize(doc);
  return isTomlTable(table) ? table : {};
}
