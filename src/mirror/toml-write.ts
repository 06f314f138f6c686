/**
 * The little TOML that bmpack writes (hosts.toml, config.toml snippets):
 * strings, booleans, integers, arrays of strings and table headers, always in the
 * same form, so that one input gives byte-identical files. Pure.
 */

const shortEscapes: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/** A TOML basic string: `"…"` with `"`, `\` and control characters escaped. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const short = shortEscapes[ch];
    const code = ch.codePointAt(0) ?? 0;
    if (short !== undefined) out += short;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A key: bare when TOML allows it (`A-Za-z0-9_-`), else a quoted string. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A table header `[a."b.c".d]` from its path. */
export function tomlTableHeader(path: readonly string[]): string {
  return `[${path.map(tomlKey).join('.')}]`;
}

/** `["a", "b"]`. */
export function tomlStringArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`;
}

/** `key = value` for the value types bmpack writes. */
export function tomlAssign(
  key: string,
  value: string | boolean | number | readonly string[],
): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`${key}: bmpack writes only integers, not ${value}`);
  const rendered =
    typeof value === 'boolean' || typeof value === 'number'
      ? String(value)
      : typeof value === 'string'
        ? tomlString(value)
        : tomlStringArray(value);
  return `${tomlKey(key)} = ${rendered}`;
}

/** Comment lines: every line of `text` prefixed with `# `. */
export function tomlComment(text: string): string[] {
  return text.split('\n').map((line) => (line === '' ? '#' : `# ${line}`));
}
