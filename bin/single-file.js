// The entry point of the single-file build: bin/package.js bundles it, with
// the TypeScript sources and every dependency, into dist/bmpack.cjs, which
// becomes the bmpack executable. Nothing is read from disk: the package.json,
// oclif manifest and command modules of bmpack and of the oclif plugins it
// uses come from the `bmpack:embedded` module that bin/package.js makes at
// build time, and oclif is handed ready plugins that use them. As with
// oclif.manifest.json in the normal build, only the command being run is
// loaded.
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Plugin } from '@oclif/core';
import { plugins } from 'bmpack:embedded';
import { useSingleFileWorkers } from '../src/verify/single-file.js';
import { namesLzmaFile } from '../src/cli/lzma-argv.js';
import { runBmpack } from '../src/cli/command/entry.js';
import { tuneGarbageCollection } from './gc-tuning.js';

/** An oclif plugin with its package.json, manifest and command modules embedded, not read. */
class EmbeddedPlugin extends Plugin {
  constructor({ pjson, manifest, commands }, root, isRoot) {
    // isRoot: true makes oclif take the root and package.json as given.
    super({ isRoot: true, pjson, root, type: 'core' });
    this.embedded = { manifest, commands, isRoot };
  }

  async load() {
    await super.load();
    this.isRoot = this.embedded.isRoot;
  }

  async _manifest() {
    this.commandIDs = Object.keys(this.embedded.manifest.commands);
    return this.embedded.manifest;
  }

  async findCommand(id, opts = {}) {
    const load = this.embedded.commands[id];
    if (load === undefined) {
      if (opts.must) throw new Error(`command ${id} not found`);
      return undefined;
    }
    const cmd = (await load()).default;
    cmd.id = id;
    cmd.plugin = this;
    return cmd;
  }
}

/** Our plugin (the first) and the plugins it names in package.json's oclif.plugins. */
async function loadPlugins(root) {
  const loaded = plugins.map((p, i) =>
    i === 0
      ? new EmbeddedPlugin(p, root, true)
      : new EmbeddedPlugin(p, join(root, p.pjson.name), false),
  );
  await Promise.all(loaded.map((p) => p.load()));
  return new Map(loaded.map((p) => [p.name, p]));
}

async function runCli() {
  // In the executable argv[1] repeats argv[0]; under node it is this file.
  const self = process.argv[1] ?? process.execPath;
  useSingleFileWorkers(self);
  const root = dirname(self);
  const pjson = plugins[0].pjson;
  await runBmpack(process.argv.slice(2), { root, pjson, plugins: await loadPlugins(root) });
}

async function main() {
  // undici's HTTP parser is WebAssembly: V8 would also compile it with its
  // optimising tier on a background thread, and a short command's exit waits
  // ~50 ms for that. The baseline tier parses headers fast enough. Not while
  // the code cache is made (bin/package.js): V8 checks the flags a cache was
  // made with, and this runs after the cache is read. Not either for a
  // command that will decode an LZMA-compressed archive (xz-decompress is
  // WebAssembly too, and much slower on the baseline tier).
  const lzma = namesLzmaFile(process.argv.slice(2));
  if (process.env.BMPACK_WRITE_CODE_CACHE !== '1') {
    if (!lzma) setFlagsFromString('--liftoff-only');
    tuneGarbageCollection();
  }
  if (process.env.BMPACK_VERIFY_WORKER === '1') await import('../src/verify/task-worker.js');
  else await runCli();
}

void main();
