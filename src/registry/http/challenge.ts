/**
 * WWW-Authenticate parsing (RFC 9110 §11.6.1, RFC 6750 §3). Registries send
 * `Basic realm="…"` (htpasswd) or `Bearer realm="…",service="…",scope="…"`
 * where scope may hold several space-separated scopes. Pure.
 */

export interface Challenge {
  /** Lower-cased auth scheme: 'basic', 'bearer', … */
  readonly scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

const tokenChar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  skip(chars: RegExp): void {
    while (this.pos < this.s.length && chars.test(this.s.charAt(this.pos))) this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && tokenChar.test(this.s.charAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    let out = '';
    this.pos++; // opening quote
    while (this.pos < this.s.length) {
      const c = this.s.charAt(this.pos++);
      if (c === '"') return out;
      out += c === '\\' ? this.s.charAt(this.pos++) : c;
    }
    return out;
  }
  peek(): string {
    return this.s.charAt(this.pos);
  }
}

/** Parse one or more challenges from header values. Unparseable parts are dropped. */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) parseInto(new Cursor(value), out);
  return out;
}

function parseInto(c: Cursor, out: Challenge[]): void {
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (c.pos < c.s.length) {
    c.skip(/[\s,]/);
    const name = c.token();
    if (name === '') {
      c.pos++;
      continue;
    }
    c.skip(/\s/);
    if (c.peek() === '=' && current !== undefined) {
      c.pos++;
      c.skip(/\s/);
      current.params[name.toLowerCase()] = c.peek() === '"' ? c.quoted() : c.token();
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
}

/** The scopes a Bearer challenge asks for (space-separated in one param). */
export function challengeScopes(ch: Challenge): string[] {
  return (ch.params.scope ?? '').split(' ').filter((s) => s !== '');
}
