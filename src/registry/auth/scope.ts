/**
 * Token scopes (distribution docs/spec/auth/scope.md):
 * `repository:<name>:<action>[,<action>]`. A resource name may hold a `:`
 * (a registry port), so scopes are split from both ends. Pure.
 */

export type Action = 'pull' | 'push' | 'delete' | '*';

export function repositoryScope(repository: string, actions: readonly Action[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

interface ParsedScope {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

function parseScope(scope: string): ParsedScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

/**
 * Union of scope lists: one scope per resource, with the union of its
 * actions, in first-seen order (push scopes first; some registries read
 * only the first scope, as go-containerregistry notes).
 */
export function mergeScopes(...lists: ReadonlyArray<readonly string[]>): string[] {
  const order: string[] = [];
  const byResource = new Map<string, { type: string; name: string; actions: Set<string> }>();
  const raw = new Set<string>();
  for (const scope of lists.flat()) {
    const p = parseScope(scope);
    if (p === undefined) {
      raw.add(scope);
      continue;
    }
    const key = `${p.type}:${p.name}`;
    let entry = byResource.get(key);
    if (entry === undefined) {
      entry = { type: p.type, name: p.name, actions: new Set() };
      byResource.set(key, entry);
      order.push(key);
    }
    for (const a of p.actions) entry.actions.add(a);
  }
  const merged = order.map((key) => {
    const e = byResource.get(key);
    return e === undefined
      ? key
      : `${e.type}:${e.name}:${[...e.actions].sort(pushFirst).join(',')}`;
  });
  return [...merged, ...raw];
}

/** pull, push, then the rest by code unit: the same scope string in every locale. */
function pushFirst(a: string, b: string): number {
  const rank = (x: string): number => (x === 'pull' ? 0 : x === 'push' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** True when every scope in `wanted` is covered by `granted`. */
export function scopesCover(granted: readonly string[], wanted: readonly string[]): boolean {
  const have = new Map<string, Set<string>>();
  for (const s of granted) {
    const p = parseScope(s);
    if (p) have.set(`${p.type}:${p.name}`, new Set(p.actions));
  }
  return wanted.every((s) => {
    const p = parseScope(s);
    const got = p ? have.get(`${p.type}:${p.name}`) : undefined;
    return (
      p !== undefined && got !== undefined && p.actions.every((a) => got.has(a) || got.has('*'))
    );
  });
}
