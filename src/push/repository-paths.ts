/**
 * Repository paths at a target that limits them. Registries such as GitLab
 * (group/project/image), Quay (organisation/repository) and some Harbor
 * set-ups refuse names deeper than a few components (distribution-spec
 * "Pulling manifests": a name is path components, and a registry MAY limit
 * them, answering NAME_INVALID). Two mappings fit a release onto them:
 *
 * - rewrite rules `FROM=TO` replace a source prefix (`quay.io/jetstack`,
 *   or a path prefix from any registry: `kube-state-metrics`) by a target
 *   prefix (possibly empty); the longest matching rule wins;
 * - a depth limit folds the leftmost path components below the namespace
 *   into one, joined by `-`, so that the image's own name stays last:
 *   `ns/jetstack/cert-manager/controller` at depth 3 becomes
 *   `ns/jetstack-cert-manager/controller`. (oc-mirror's
 *   --max-nested-paths folds the rightmost instead; keeping the last
 *   component keeps `crictl images` readable.)
 *
 * Pure: no I/O.
 */
import { BmpackError } from '../errors.js';
import type { ImageReference } from '../reference/index.js';

export interface PathRule {
  /** `REGISTRY[/PATH]` or `PATH`, without a trailing slash. */
  readonly from: string;
  /** Target prefix; empty drops the matched prefix. */
  readonly to: string;
}

export interface PathMapping {
  readonly rules: readonly PathRule[];
  /** Deepest repository name the target takes, namespace included. */
  readonly maxDepth?: number;
}

export const identityMapping: PathMapping = { rules: [] };

const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** `FROM=TO`, as the user writes a rewrite rule. */
export function parsePathRule(text: string): PathRule {
  const eq = text.indexOf('=');
  const fail = (what: string): never => {
    throw new BmpackError('E_USAGE', `invalid rewrite ${JSON.stringify(text)}: ${what}`, {
      hint: 'Write FROM=TO: a source prefix (quay.io/jetstack, or a path such as library) and the target path that replaces it (may be empty).',
      reason: 'path-rule-invalid',
    });
  };
  if (eq === -1) return fail('no "="');
  const from = text.slice(0, eq).trim().replace(/\/+$/, '');
  const to = text
    .slice(eq + 1)
    .trim()
    .replace(/^\/+|\/+$/g, '');
  if (from === '') return fail('nothing before "="');
  const [first, ...path] = from.split('/');
  const pathOnly = first === undefined || !isRegistryHost(first) ? from.split('/') : path;
  if (!pathOnly.every((c) => component.test(c))) return fail(`"${from}" is not a name prefix`);
  if (to !== '' && !to.split('/').every((c) => component.test(c)))
    return fail(`"${to}" must be lowercase path components (a-z, 0-9, '.', '_', '-')`);
  return { from, to };
}

/** A first component is a registry host when it has a dot or a port, or is localhost (docker's rule). */
function isRegistryHost(c: string): boolean {
  return c.includes('.') || c.includes(':') || c === 'localhost';
}

/** Checks a mapping against the namespace it is used under; returns it. */
export function checkMapping(mapping: PathMapping, namespace: string): PathMapping {
  const seen = new Set<string>();
  for (const r of mapping.rules) {
    if (seen.has(r.from)) {
      throw new BmpackError('E_USAGE', `two rewrite rules for "${r.from}"`, {
        hint: 'Give one rule for each source prefix.',
        reason: 'path-rule-invalid',
      });
    }
    seen.add(r.from);
  }
  const nsDepth = depthOf(namespace);
  if (mapping.maxDepth !== undefined && mapping.maxDepth <= nsDepth) {
    throw new BmpackError(
      'E_USAGE',
      `a repository depth of ${mapping.maxDepth} leaves no room below the namespace "${namespace}" (${nsDepth} deep)`,
      {
        hint: 'Allow at least one path component below the namespace, or use a shorter namespace.',
        reason: 'path-depth-below-namespace',
        details: { maxDepth: mapping.maxDepth, namespace },
      },
    );
  }
  return mapping;
}

export function depthOf(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}

/** The repository path below the namespace after the rewrite rules (no fold yet). */
export function rewrittenPath(source: ImageReference, rules: readonly PathRule[]): string {
  const full = `${source.registry}/${source.repository}`;
  let best: { rule: PathRule; rest: string } | undefined;
  for (const rule of rules) {
    const against = isRegistryHost(rule.from.split('/')[0] ?? '') ? full : source.repository;
    const rest = restAfter(against, rule.from);
    if (rest !== undefined && (best === undefined || rule.from.length > best.rule.from.length))
      best = { rule, rest };
  }
  if (best === undefined) return source.repository;
  const path = [best.rule.to, best.rest].filter((p) => p !== '').join('/');
  if (path === '') {
    throw new BmpackError(
      'E_USAGE',
      `rewrite ${best.rule.from}=${best.rule.to} leaves ${full} no repository name`,
      {
        hint: 'Map a prefix of the name, not the whole of it, to an empty target; or give the rule a target path.',
        reason: 'path-rule-invalid',
      },
    );
  }
  return path;
}

/** What follows `prefix` in `name` at a component boundary, or undefined. */
function restAfter(name: string, prefix: string): string | undefined {
  if (name === prefix) return '';
  return name.startsWith(`${prefix}/`) ? name.slice(prefix.length + 1) : undefined;
}

/** Fold the leftmost components of `path` so it is at most `depth` deep. */
export function foldPath(path: string, depth: number): string {
  const parts = path.split('/');
  if (parts.length <= depth) return path;
  const cut = parts.length - depth + 1;
  return [parts.slice(0, cut).join('-'), ...parts.slice(cut)].join('/');
}

/** The target repository (namespace included) for a source image. */
export function targetRepository(
  source: ImageReference,
  namespace: string,
  mapping: PathMapping,
): { repository: string; unfolded: string } {
  const unfolded = rewrittenPath(source, mapping.rules);
  const room = mapping.maxDepth !== undefined ? mapping.maxDepth - depthOf(namespace) : Infinity;
  const path = foldPath(unfolded, room);
  const under = (p: string): string => (namespace === '' ? p : `${namespace}/${p}`);
  return { repository: under(path), unfolded: under(unfolded) };
}

/** Whether the mapping can change any name at all. */
export function isIdentity(mapping: PathMapping): boolean {
  return mapping.rules.length === 0 && mapping.maxDepth === undefined;
}
