/**
 * A small TOML 1.0 reader for what containerd's files hold (config.toml,
 * hosts.toml): tables, arrays of tables, dotted keys, strings of all four
 * kinds, integers, floats, booleans, arrays and inline tables. Dates and
 * times are kept as their text. Duplicate keys and tables are errors, as
 * they are for containerd's own reader. Table keys keep their order in the
 * file (containerd tries `[host."…"]` entries in that order). Pure.
 */
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

function setOwn(table: TomlTable, key: string, value: TomlValue): void {
  // defineProperty, so that a key named __proto__ is data, not a prototype change.
  Object.defineProperty(table, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const bareKeyChar = /[A-Za-z0-9_-]/;

class Parser {
  private pos = 0;
  private readonly root: TomlTable = {};
  private current: TomlTable;
  /** Tables opened by a [header] or written inline: they cannot be opened again. */
  private readonly closed = new WeakSet<TomlTable>();
  /** Arrays made by [[header]] (only those can take more tables). */
  private readonly tableArrays = new WeakSet<TomlValue[]>();

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {
    this.current = this.root;
  }

  parse(): TomlTable {
    if (this.text.startsWith('\uFEFF')) this.pos = 1;
    for (;;) {
      this.skipBlankAndComments();
      if (this.pos >= this.text.length) return this.root;
      if (this.peek() === '[') this.tableHeader();
      else this.keyValue(this.current);
      this.endOfLine();
    }
  }

  private fail(problem: string, at = this.pos): never {
    const line = this.text.slice(0, at).split('\n').length;
    throw new BmpackError('E_CONFIG_INVALID', `${this.source}: line ${line}: ${problem}`, {
      hint: 'Fix the TOML syntax (https://toml.io); containerd ignores or refuses files it cannot parse.',
      details: { file: this.source, line },
    });
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private skipComment(): void {
    if (this.peek() !== '#') return;
    while (this.pos < this.text.length && this.peek() !== '\n') {
      const code = this.text.charCodeAt(this.pos);
      if ((code < 0x20 && code !== 0x09 && code !== 0x0d) || code === 0x7f)
        this.fail('control character in a comment');
      this.pos++;
    }
  }

  private skipBlankAndComments(): void {
    for (;;) {
      this.skipSpaces();
      this.skipComment();
      if (this.peek() === '\n') this.pos++;
      else if (this.startsWith('\r\n')) this.pos += 2;
      else return;
    }
  }

  private endOfLine(): void {
    this.skipSpaces();
    this.skipComment();
    if (this.pos >= this.text.length) return;
    if (this.peek() === '\n') this.pos++;
    else if (this.startsWith('\r\n')) this.pos += 2;
    else this.fail(`unexpected ${JSON.stringify(this.peek())}: expected the end of the line`);
  }

  private tableHeader(): void {
    const start = this.pos;
    const isArray = this.startsWith('[[');
    this.pos += isArray ? 2 : 1;
    this.skipSpaces();
    const path = this.key();
    this.skipSpaces();
    if (!this.startsWith(isArray ? ']]' : ']'))
      this.fail(`expected ${isArray ? ']]' : ']'} to close the table header`);
    this.pos += isArray ? 2 : 1;
    const last = path[path.length - 1] ?? '';
    const parent = this.walk(this.root, path.slice(0, -1), start);
    const existing = tomlGet(parent, last);
    if (isArray) {
      const table: TomlTable = {};
      if (existing === undefined) {
        const array: TomlValue[] = [table];
        this.tableArrays.add(array);
        setOwn(parent, last, array);
      } else if (Array.isArray(existing) && this.tableArrays.has(existing)) {
        existing.push(table);
      } else {
        this.fail(`[[${path.join('.')}]] redefines a key that is not an array of tables`, start);
      }
      this.current = table;
      return;
    }
    if (existing === undefined) {
      const table: TomlTable = {};
      setOwn(parent, last, table);
      this.closed.add(table);
      this.current = table;
    } else if (isTomlTable(existing) && !this.closed.has(existing)) {
      this.closed.add(existing);
      this.current = existing;
    } else {
      this.fail(`table [${path.join('.')}] is defined twice`, start);
    }
  }

  /** Follows `path` from `from`, making implicit tables; the last table of an array of tables counts. */
  private walk(from: TomlTable, path: readonly string[], at: number, dotted = false): TomlTable {
    let table = from;
    for (const key of path) {
      const next = tomlGet(table, key);
      if (next === undefined) {
        const made: TomlTable = {};
        setOwn(table, key, made);
        table = made;
      } else if (isTomlTable(next)) {
        if (dotted && this.closed.has(next))
          this.fail(`key ${key} extends a table defined elsewhere`, at);
        table = next;
      } else if (Array.isArray(next) && this.tableArrays.has(next) && !dotted) {
        const last = next[next.length - 1];
        if (!isTomlTable(last)) this.fail(`${key} is not a table`, at);
        table = last;
      } else {
        this.fail(`${key} is already a value, not a table`, at);
      }
    }
    return table;
  }

  private keyValue(table: TomlTable): void {
    const start = this.pos;
    const path = this.key();
    this.skipSpaces();
    if (this.peek() !== '=') this.fail(`expected = after the key ${path.join('.')}`);
    this.pos++;
    this.skipSpaces();
    const value = this.value();
    const target = this.walk(table, path.slice(0, -1), start, true);
    const last = path[path.length - 1] ?? '';
    if (tomlGet(target, last) !== undefined)
      this.fail(`key ${path.join('.')} is defined twice`, start);
    setOwn(target, last, value);
  }

  /** A key, dotted or not: its parts. */
  private key(): string[] {
    const parts = [this.simpleKey()];
    for (;;) {
      const save = this.pos;
      this.skipSpaces();
      if (this.peek() !== '.') {
        this.pos = save;
        return parts;
      }
      this.pos++;
      this.skipSpaces();
      parts.push(this.simpleKey());
    }
  }

  private simpleKey(): string {
    if (this.peek() === '"') {
      if (this.startsWith('"""')) this.fail('a key cannot be a multi-line string');
      return this.basicString();
    }
    if (this.peek() === "'") {
      if (this.startsWith("'''")) this.fail('a key cannot be a multi-line string');
      return this.literalString();
    }
    const start = this.pos;
    while (bareKeyChar.test(this.peek())) this.pos++;
    if (this.pos === start)
      this.fail(`expected a key, found ${JSON.stringify(this.peek() || 'the end')}`);
    return this.text.slice(start, this.pos);
  }

  private value(): TomlValue {
    const c = this.peek();
    if (this.startsWith('"""')) return this.multilineString('"');
    if (c === '"') return this.basicString();
    if (this.startsWith("'''")) return this.multilineString("'");
    if (c === "'") return this.literalString();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable();
    return this.scalar();
  }

  private escape(): string {
    const c = this.peek();
    this.pos++;
    const simple: Record<string, string> = {
      b: '\b',
      t: '\t',
      n: '\n',
      f: '\f',
      r: '\r',
      '"': '"',
      '\\': '\\',
    };
    const s = simple[c];
    if (s !== undefined) return s;
    if (c === 'u' || c === 'U') {
      const length = c === 'u' ? 4 : 8;
      const hex = this.text.slice(this.pos, this.pos + length);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== length) this.fail(`invalid \\${c} escape`);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        this.fail(`invalid code point \\${c}${hex}`);
      this.pos += length;
      return String.fromCodePoint(code);
    }
    return this.fail(`invalid escape \\${c}`, this.pos - 2);
  }

  private checkChar(c: string): void {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) this.fail('control character in a string');
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') this.fail('unterminated string');
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') out += this.escape();
      else {
        this.checkChar(c);
        out += c;
      }
    }
  }

  private literalString(): string {
    this.pos++;
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') this.fail('unterminated string');
      if (c === "'") {
        this.pos++;
        return this.text.slice(start, this.pos - 1);
      }
      this.checkChar(c);
      this.pos++;
    }
  }

  private skipFirstNewline(): void {
    if (this.peek() === '\n') this.pos++;
    else if (this.startsWith('\r\n')) this.pos += 2;
  }

  /** At a run of quotes inside a multi-line string: the quotes that belong to the content, or undefined if it does not close here. */
  private closing(quote: string): string | undefined {
    let n = 0;
    while (this.peek(n) === quote) n++;
    if (n < 3) return undefined;
    if (n > 5) this.fail('too many quotes in a row');
    this.pos += n;
    return quote.repeat(n - 3);
  }

  /**
   * A multi-line string (TOML v1.0.0 "String"): basic (`"""`, with escapes)
   * or literal (`'''`, as written). Up to two quotes of its own kind may end it.
   */
  private multilineString(quote: '"' | "'"): string {
    this.pos += 3;
    this.skipFirstNewline();
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated multi-line string');
      if (c === quote) {
        const tail = this.closing(quote);
        if (tail !== undefined) return out + tail;
      }
      if (c === '\\' && quote === '"') {
        out += this.multilineEscape();
        continue;
      }
      this.pos++;
      if (c !== '\n' && c !== '\r') this.checkChar(c);
      out += c;
    }
  }

  /** An escape in a multi-line basic string; a backslash at the end of a line trims all following whitespace and newlines. */
  private multilineEscape(): string {
    const rest = /^\\[ \t]*\r?\n/.exec(this.text.slice(this.pos, this.pos + 256));
    if (rest === null) {
      this.pos++;
      return this.escape();
    }
    this.pos += rest[0].length;
    while (/[ \t\r\n]/.test(this.peek())) this.pos++;
    return '';
  }

  private array(): TomlValue[] {
    this.pos++;
    const out: TomlValue[] = [];
    for (;;) {
      this.skipBlankAndComments();
      if (this.peek() === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipBlankAndComments();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() === ']') {
        this.pos++;
        return out;
      } else this.fail('expected , or ] in an array');
    }
  }

  private inlineTable(): TomlTable {
    this.pos++;
    const table: TomlTable = {};
    this.skipSpaces();
    if (this.peek() === '}') {
      this.pos++;
      this.closed.add(table);
      return table;
    }
    for (;;) {
      this.skipSpaces();
      this.keyValue(table);
      this.skipSpaces();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() === '}') {
        this.pos++;
        this.closed.add(table);
        return table;
      } else this.fail('expected , or } in an inline table');
    }
  }

  private scalar(): string | number | boolean {
    const start = this.pos;
    // Dates may hold one space between date and time: take it when a time follows.
    while (this.pos < this.text.length && !/[\s,\]}#]/.test(this.peek())) this.pos++;
    if (
      /^\d{4}-\d{2}-\d{2}$/.test(this.text.slice(start, this.pos)) &&
      /^ \d{2}:/.test(this.text.slice(this.pos, this.pos + 4))
    ) {
      this.pos++;
      while (this.pos < this.text.length && !/[\s,\]}#]/.test(this.peek())) this.pos++;
    }
    const token = this.text.slice(start, this.pos);
    if (token === 'true') return true;
    if (token === 'false') return false;
    const integer = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
    if (integer.test(token)) return Number(token.replace(/_/g, ''));
    const based = /^0(x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|o[0-7](?:_?[0-7])*|b[01](?:_?[01])*)$/.exec(
      token,
    );
    if (based) return Number(`0${based[1]?.replace(/_/g, '') ?? ''}`);
    const float = /^[+-]?(?:0|[1-9](?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?$/;
    if (float.test(token)) return Number(token.replace(/_/g, ''));
    if (/^[+-]?inf$/.test(token)) return token.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(token)) return NaN;
    if (
      /^(?:\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.test(
        token,
      )
    )
      return token;
    return this.fail(
      token === '' ? 'expected a value' : `invalid value ${JSON.stringify(token)}`,
      start,
    );
  }
}

/**
 * Parses a TOML document.
 * @param source names the file in error messages.
 * @throws BmpackError E_CONFIG_INVALID with the line of the first problem.
 */
export function parseToml(text: string, source = 'TOML'): TomlTable {
  return new Parser(text, source).parse();
}
