/**
 * The rules the layers of src/ must follow, as functions of the import
 * graph: each returns what breaks it (empty when the rule holds), so that
 * the same checks run on src/ and on small trees made to break them.
 */
import { cycles, folderOf, type ImportGraph } from './import-graph.js';

/** What reaches outside the process: files, sockets, other processes. */
export const ioModules = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:http2',
  'node:tls',
  'node:dns',
  'node:child_process',
  'node:worker_threads',
  'undici',
];

const internal = (g: ImportGraph, file: string) =>
  (g.files.get(file) ?? []).filter((e) => e.internal);

/** Cycles between files, type-only imports included. */
export function fileCycles(g: ImportGraph): string[][] {
  const nodes = new Map(
    [...g.files.keys()].map((f) => [f, new Set(internal(g, f).map((e) => e.to))]),
  );
  return cycles(nodes);
}

/**
 * Cycles between folders. A file at the top of the tree is a unit of its
 * own (errors.ts below everything, index.ts above everything), not one
 * folder with the others there.
 */
export function folderCycles(g: ImportGraph): string[][] {
  const unit = (f: string): string => folderOf(f) || f;
  const nodes = new Map<string, Set<string>>();
  for (const f of g.files.keys()) {
    const from = unit(f);
    const set = nodes.get(from) ?? new Set<string>();
    nodes.set(from, set);
    for (const e of internal(g, f)) if (unit(e.to) !== from) set.add(unit(e.to));
  }
  return cycles(nodes);
}

/**
 * Pure modules (folders ending in '/', or files) that load an I/O module at
 * run time, themselves or through what they import: each with its path.
 */
export function impureModules(g: ImportGraph, pure: readonly string[]): string[] {
  const isPure = (f: string) => pure.some((p) => (p.endsWith('/') ? f.startsWith(p) : f === p));
  return [...g.files.keys()].filter(isPure).flatMap((f) => reachedIo(g, f));
}

function reachedIo(g: ImportGraph, file: string): string[] {
  const seen = new Set<string>([file]);
  const queue: Array<{ at: string; path: string[] }> = [{ at: file, path: [file] }];
  const found: string[] = [];
  while (queue.length > 0) {
    const { at, path } = queue.shift()!;
    for (const e of g.files.get(at) ?? []) {
      if (e.typeOnly) continue;
      if (ioModules.includes(e.to)) found.push([...path, e.to].join(' → '));
      else if (g.files.has(e.to) && !seen.has(e.to)) {
        seen.add(e.to);
        queue.push({ at: e.to, path: [...path, e.to] });
      }
    }
  }
  return found;
}

/** Imports of the CLI layer from anywhere outside it. */
export function cliImports(g: ImportGraph, cliFolder: string): string[] {
  return [...g.files.keys()]
    .filter((f) => folderOf(f).split('/')[0] !== cliFolder)
    .flatMap((f) =>
      internal(g, f)
        .filter((e) => e.to.startsWith(`${cliFolder}/`))
        .map((e) => `${f} → ${e.to}`),
    );
}

/** Imports that enter a folder with an index.ts other than through it. */
export function deepImports(g: ImportGraph): string[] {
  const wrong: string[] = [];
  for (const f of g.files.keys())
    for (const e of internal(g, f)) {
      const gate = gateOf(g, e.to, f);
      if (gate !== undefined && e.to !== gate) wrong.push(`${f} → ${e.to} (use ${gate})`);
    }
  return wrong;
}

/**
 * The index.ts that stands for `target` as seen from `from`: that of the
 * outermost folder holding `target` but not `from`, when it has one.
 */
function gateOf(g: ImportGraph, target: string, from: string): string | undefined {
  const parts = folderOf(target).split('/').filter(Boolean);
  for (let depth = 1; depth <= parts.length; depth++) {
    const folder = parts.slice(0, depth).join('/');
    if (from.startsWith(`${folder}/`)) continue;
    const index = `${folder}/index.ts`;
    if (g.files.has(index)) return index;
  }
  return undefined;
}
