#!/usr/bin/env node
// Starts bmpack. `npm run build` makes dist/bmpack.cjs, all of bmpack and its
// dependencies in one file (bin/package.js), and dist/bmpack.cjs.cache, V8's
// code cache for it. Loading those takes a third of the time of resolving
// and compiling the ~400 modules they hold, which is most of what a short
// command (a push re-run, --help) spends. Without them (sources compiled by
// tsc alone) oclif loads the commands from dist/commands.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { tuneGarbageCollection } from './gc-tuning.js';

tuneGarbageCollection();

const here = dirname(fileURLToPath(import.meta.url));
// Beside this file when bin/package.js runs a copy of it in dist/ to make the code cache.
const single = [join(here, 'bmpack.cjs'), join(here, '..', 'dist', 'bmpack.cjs')].find(existsSync);

/** Runs a CommonJS file as require() would, but through vm.Script, to use and make a code cache. */
function runWithCodeCache(file) {
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache: V8 compiles as usual.
  }
  // latin1: the file is ASCII (bin/package.js escapes the rest), and latin1 reads it fastest.
  const script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (process.env.BMPACK_WRITE_CODE_CACHE === '1') {
    process.once('exit', () => {
      writeFileSync(`${cacheFile}.partial`, script.createCachedData());
      renameSync(`${cacheFile}.partial`, cacheFile);
    });
  }
  const module = new Module(file);
  module.filename = file;
  // The single file finds itself here, to start verify workers from it.
  process.argv[1] = file;
  const require = createRequire(file);
  script
    .runInThisContext()
    .call(module.exports, module.exports, require, module, file, dirname(file));
}

if (single !== undefined) {
  runWithCodeCache(single);
} else {
  const { runBmpack } = await import('../dist/src/cli/command/entry.js');
  await runBmpack(process.argv.slice(2), fileURLToPath(import.meta.url));
}
