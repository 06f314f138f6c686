/**
 * Bearer tokens, kept per (realm, service, scope set) until shortly before
 * they expire (distribution token.md: `expires_in`, default 60 s).
 */

interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

/** Renew this long before the stated expiry, for clock skew and slow requests. */
const marginMs = 10_000;

export function tokenCacheKey(
  realm: string,
  service: string | undefined,
  scopes: readonly string[],
): string {
  return JSON.stringify([realm, service ?? '', [...scopes].sort()]);
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt - marginMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.token;
  }

  set(key: string, token: string, expiresInSeconds: number): void {
    this.entries.set(key, { token, expiresAt: this.now() + expiresInSeconds * 1000 });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
