import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { readImportGraph, type ImportGraph } from './import-graph.js';
import { cliImports, deepImports, fileCycles, folderCycles, impureModules } from './layer-rules.js';

/** A small src/ tree that breaks every rule once, so that each check is seen to catch it. */
const broken: Record<string, string> = {
  'pure/parse.ts': "import { readAll } from '../io/read.js';\nexport const parse = readAll;\n",
  'pure/only-types.ts': "import type { Handle } from '../io/read.js';\nexport type H = Handle;\n",
  'io/read.ts':
    "import { readFileSync } from 'node:fs';\nexport type Handle = number;\nexport const readAll = readFileSync;\n",
  'a/one.ts': "import { two } from '../b/two.js';\nexport const one = two;\n",
  'b/two.ts': "import { three } from './three.js';\nexport const two = three;\n",
  'b/three.ts':
    "import type { One } from '../a/types.js';\nexport const three = 3;\nexport type T = One;\n",
  'a/types.ts': 'export type One = 1;\n',
  'c/x.ts': "import { y } from './y.js';\nexport const x = y;\n",
  'c/y.ts': "import { x } from './x.js';\nexport const y = x;\n",
  'lib/index.ts': "export { inner } from './inner.js';\n",
  'lib/inner.ts': "import { flag } from '../cli/flags.js';\nexport const inner = flag;\n",
  'use/deep.ts': "import { inner } from '../lib/inner.js';\nexport const deep = inner;\n",
  'cli/flags.ts': "export const flag = '--x';\n",
};

describe('architecture: each rule catches what breaks it', () => {
  let root: string;
  let g: ImportGraph;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'bmpack-layers-'));
    for (const [file, text] of Object.entries(broken)) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), text);
    }
    g = readImportGraph(root);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds a cycle between files, and one between folders through a type-only import', () => {
    expect(fileCycles(g)).to.deep.equal([['c/x.ts', 'c/y.ts']]);
    expect(folderCycles(g)).to.deep.equal([['a', 'b']]);
  });

  it('finds a pure module that reaches I/O through another module, not one that imports types only', () => {
    expect(impureModules(g, ['pure/'])).to.deep.equal(['pure/parse.ts → io/read.ts → node:fs']);
  });

  it('finds library code that imports the CLI layer', () => {
    expect(cliImports(g, 'cli')).to.deep.equal(['lib/inner.ts → cli/flags.ts']);
  });

  it('finds an import that goes around a folder’s index.ts', () => {
    expect(deepImports(g)).to.deep.equal(['use/deep.ts → lib/inner.ts (use lib/index.ts)']);
  });
});
