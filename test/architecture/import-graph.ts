/**
 * The import graph of src/, read with the TypeScript compiler's parser:
 * every file, and every module it imports at run time or for types only.
 * What test/architecture/layers.test.ts checks its rules against.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** A file of src/ (`registry/client.ts`), or a package / builtin as written (`undici`, `node:fs`). */
  readonly to: string;
  readonly typeOnly: boolean;
  readonly internal: boolean;
}

export interface ImportGraph {
  readonly root: string;
  /** Files relative to the root, with '/' separators. */
  readonly files: ReadonlyMap<string, readonly ImportEdge[]>;
}

export function readImportGraph(root: string): ImportGraph {
  const files = new Map<string, ImportEdge[]>();
  for (const file of listTs(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    files.set(file, importsOf(root, file, text));
  }
  return { root, files };
}

function listTs(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listTs(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function importsOf(root: string, file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean): void => {
    const internal = specifier.startsWith('.');
    edges.push({
      to: internal ? resolveLocal(root, file, specifier) : specifier,
      typeOnly,
      internal,
    });
  };
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier))
      add(s.moduleSpecifier.text, importIsTypeOnly(s));
    else if (
      ts.isExportDeclaration(s) &&
      s.moduleSpecifier &&
      ts.isStringLiteral(s.moduleSpecifier)
    )
      add(s.moduleSpecifier.text, exportIsTypeOnly(s));
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    )
      add(node.arguments[0].text, false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function importIsTypeOnly(s: ts.ImportDeclaration): boolean {
  const clause = s.importClause;
  if (clause === undefined) return false; // a side-effect import runs the module
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  if (bindings === undefined || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(s: ts.ExportDeclaration): boolean {
  if (s.isTypeOnly) return true;
  const clause = s.exportClause;
  if (clause === undefined || !ts.isNamedExports(clause)) return false;
  return clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** `../registry/client.js` from `push/push-images.ts` → `registry/client.ts`. */
function resolveLocal(root: string, file: string, specifier: string): string {
  const base = join(root, dirname(file), specifier.replace(/\.js$/, ''));
  const candidates = [`${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((c) => existsSync(c)) ?? `${base}.ts`;
  return relative(root, found).split(sep).join('/');
}

/** The folder of a file, relative to the root ('' for files at the top). */
export function folderOf(file: string): string {
  const at = file.lastIndexOf('/');
  return at === -1 ? '' : file.slice(0, at);
}

/** Cycles among `nodes` (Tarjan's strongly connected components of two or more, or a self-loop). */
export function cycles(nodes: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of nodes.get(v) ?? []) {
      if (!order.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) !== order.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || nodes.get(v)?.has(v) === true) out.push(component.sort());
  };
  for (const v of [...nodes.keys()].sort()) if (!order.has(v)) connect(v);
  return out;
}
