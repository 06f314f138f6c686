/**
 * package.json's dependencies are what bmpack needs at run time, no more
 * (issue 19, item 6): each is imported (not for types only) by src/ or
 * commands/, or is an oclif plugin the CLI loads; and every package src/
 * and commands/ import at run time is a dependency, not a devDependency.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { readImportGraph } from './import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  oclif: { plugins: string[] };
};

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string): string =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] ?? specifier);

function runtimeImports(): Set<string> {
  const used = new Set<string>();
  for (const dir of ['src', 'commands'])
    for (const edges of readImportGraph(`${root}${dir}`).files.values())
      for (const e of edges)
        if (!e.internal && !e.typeOnly && !e.to.startsWith('node:')) used.add(packageOf(e.to));
  return used;
}

describe('runtime dependencies', () => {
  const used = runtimeImports();

  it('every dependency is imported at run time by src/ or commands/, or is an oclif plugin', () => {
    const unused = Object.keys(pkg.dependencies).filter(
      (d) => !used.has(d) && !pkg.oclif.plugins.includes(d),
    );
    expect(unused, 'move these to devDependencies, or drop them').to.deep.equal([]);
  });

  it('everything src/ and commands/ import at run time is a dependency', () => {
    const missing = [...used].filter((d) => pkg.dependencies[d] === undefined);
    expect(missing, 'these must be dependencies, not devDependencies').to.deep.equal([]);
  });
});
