#!/usr/bin/env node
// Builds dist/bmpack-linux-x64 and dist/bmpack-linux-arm64, self-contained
// executables with Node's single-executable-application support, on Node 24
// LTS (.node-version; bin/node-runtime.js fetches the official binaries from
// the npm registry, whatever node runs this): esbuild bundles
// bin/single-file.js with the TypeScript sources (commands/, src/) and every
// dependency (@oclif/core, undici …) into dist/bmpack.cjs, Node 24 turns that
// into a blob, and postject injects the blob into a copy of each Node 24
// binary. dist/SHA256SUMS lists both (sha256sum -c). It reads the sources,
// not dist/, so it needs no `npm run build` first.
//
//   node bin/package.js                 dist/bmpack.cjs (+ its code cache), the executables, SHA256SUMS
//   node bin/package.js --script-only   dist/bmpack.cjs and its code cache (npm run build)
//   … --out DIR                         write into DIR instead of dist/
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Plugin } from '@oclif/core';
import { build } from 'esbuild';
import { startWarmUpRegistry } from './warm-up-registry.js';
import { nodeRuntime } from './node-runtime.js';

const run = promisify(execFile);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { 'script-only': { type: 'boolean' }, out: { type: 'string' } },
});
const dist = args.out ?? join(root, 'dist');
const targets = ['x64', 'arm64'];
const executables = args['script-only'] ? [] : targets.map((arch) => `bmpack-linux-${arch}`);
const outputs = ['bmpack.cjs', ...executables];
const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** A package.json as oclif sees it embedded: its commands in an explicit map, no hooks. */
function embeddedPjson(pjson) {
  const commands = { strategy: 'explicit', target: 'bmpack:embedded', identifier: 'commands' };
  const { name, version, description, type, oclif } = pjson;
  return { name, version, description, type, oclif: { ...oclif, commands, hooks: {} } };
}

/** commands/bundle/create.ts → ['bundle:create', './commands/bundle/create.ts'], as oclif names them. */
function commandFiles() {
  return readdirSync(join(root, 'commands'), { recursive: true })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => [f.replace(/\.ts$/, '').split(/[\\/]/).join(':'), `./commands/${f}`]);
}

/** bmpack itself: its package.json, its manifest (null in the manifest pass) and command files. */
function ownPlugin(manifest) {
  const pjson = embeddedPjson(readJson(join(root, 'package.json')));
  return { pjson, manifest, files: commandFiles() };
}

/** An oclif plugin from node_modules, with the manifest it ships. */
function dependencyPlugin(name) {
  const dir = join(root, 'node_modules', name);
  const manifest = readJson(join(dir, 'oclif.manifest.json'));
  const files = Object.entries(manifest.commands).map(([id, c]) => [
    id,
    join(dir, ...c.relativePath),
  ]);
  return { pjson: embeddedPjson(readJson(join(dir, 'package.json'))), manifest, files };
}

/** Our plugin, then those that package.json's oclif.plugins names. */
function embeddedPlugins(manifest) {
  const own = ownPlugin(manifest);
  return [own, ...(own.pjson.oclif.plugins ?? []).map(dependencyPlugin)];
}

/**
 * The `bmpack:embedded` module: for each plugin, package.json, the oclif
 * manifest, and a loader for each command module (esbuild keeps a module
 * that is imported dynamically out of the start-up path until it is asked
 * for).
 */
function embeddedModule(manifest) {
  const source = (p) => {
    const loaders = p.files.map(
      ([id, file]) => `${JSON.stringify(id)}: () => import(${JSON.stringify(file)})`,
    );
    const pjson = JSON.stringify(p.pjson);
    return `{ pjson: ${pjson}, manifest: ${JSON.stringify(p.manifest)}, commands: { ${loaders.join(', ')} } }`;
  };
  return `export const plugins = [\n${embeddedPlugins(manifest).map(source).join(',\n')}\n];\n`;
}

/** An esbuild plugin that serves `bmpack:embedded`. */
function embedded(manifest) {
  return {
    name: 'bmpack-embedded',
    setup(b) {
      b.onResolve({ filter: /^bmpack:embedded$/ }, () => ({
        path: 'embedded',
        namespace: 'bmpack',
      }));
      b.onLoad({ filter: /.*/, namespace: 'bmpack' }, () => ({
        contents: embeddedModule(manifest),
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/**
 * The oclif manifest of the commands, made the way `oclif manifest` makes
 * it (oclif's explicit command discovery over the command classes), from
 * the sources compiled by esbuild into a module beside node_modules.
 */
async function commandManifest() {
  // Beside node_modules, so that the packages it imports are found.
  const file = join(root, 'node_modules', '.cache', 'bmpack', `manifest-${process.pid}.mjs`);
  await build({
    stdin: { contents: "export * from 'bmpack:embedded';", resolveDir: root },
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    plugins: [embedded(null)],
  });
  try {
    const { plugins } = await import(pathToFileURL(file).href);
    const { commands, pjson } = plugins[0];
    const loaded = await Promise.all(
      Object.entries(commands).map(async ([id, load]) => [id, (await load()).default]),
    );
    const plugin = new Plugin({ isRoot: true, pjson, root, ignoreManifest: true });
    plugin.commandCache = Object.fromEntries(loaded);
    await plugin.load();
    return { ...plugin.manifest, version: pjson.version };
  } finally {
    rmSync(file, { force: true });
  }
}

/** What bmpack imports from 'undici' (src/registry/http/transport.ts): checked at build time. */
const undiciNames = new Set(['EnvHttpProxyAgent', 'Pool', 'Dispatcher']);

/**
 * undici's entry loads all of undici (fetch, WebSocket, EventSource, mocks,
 * caches …): ~35 ms at every start. bmpack uses one dispatcher and its
 * request(), so the bundle gets an entry with just those, wired as undici's
 * own entry wires them (the API methods on Dispatcher.prototype).
 */
const slimUndici = {
  name: 'slim-undici',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]undici[\\/]index\.js$/ }, () => {
      const source = readFileSync(join(root, 'src', 'registry', 'http', 'transport.ts'), 'utf8');
      const imported = /import \{([^}]*)\} from 'undici';/.exec(source)?.[1] ?? '';
      for (const name of imported.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim()))
        if (name !== '' && !undiciNames.has(name))
          throw new Error(
            `transport.ts imports ${name} from undici: add it to bin/package.js's slim entry`,
          );
      return {
        contents: `'use strict';
const Dispatcher = require('./lib/dispatcher/dispatcher');
Object.assign(Dispatcher.prototype, require('./lib/api'));
module.exports.Dispatcher = Dispatcher;
module.exports.EnvHttpProxyAgent = require('./lib/dispatcher/env-http-proxy-agent');
module.exports.Pool = require('./lib/dispatcher/pool');
`,
        loader: 'js',
        resolveDir: join(root, 'node_modules', 'undici'),
      };
    });
  },
};

/**
 * undici's HTTP/2 client, which loads node:http2 (and node:tls with it): ~5 ms
 * of every start. undici speaks HTTP/2 only when a dispatcher is made with
 * allowH2 (it then offers h2 in TLS's ALPN); bmpack never sets it, so the
 * client is left out, and a source that starts setting it fails the build.
 */
const noHttp2 = {
  name: 'no-http2',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/ },
      () => {
        const uses = sourceFiles(join(root, 'src')).filter((f) =>
          readFileSync(f, 'utf8').includes('allowH2'),
        );
        if (uses.length > 0)
          throw new Error(
            `${uses.join(', ')} set allowH2: bin/package.js leaves undici's HTTP/2 client out`,
          );
        return {
          contents: `'use strict';
module.exports = function connectH2() {
  throw new Error('this build of bmpack has no HTTP/2 client (bin/package.js)');
};
`,
          loader: 'js',
        };
      },
    );
  },
};

/**
 * Exact replacements in dependencies' sources, for what every start would
 * otherwise load or build for nothing. The build fails if a source no
 * longer holds what its patch replaces, or is no longer bundled.
 */
const sourcePatches = {
  // oclif sorts a plugin's commands with localeCompare as it loads them;
  // the first localeCompare of a process builds ICU's collator, 7-8 ms of
  // every command. Command ids sort alike by code unit (commandIdsSortByCodeUnit).
  '@oclif/core/lib/config/plugin.js': [
    [
      '.sort((a, b) => a.id.localeCompare(b.id))',
      '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
    ],
  ],
  // oclif loads node:child_process only to name a Windows parent shell, and
  // detects WSL through wsl-utils, which loads node:child_process and
  // PowerShell helpers too: is-wsl, which wsl-utils re-exports, alone.
  '@oclif/core/lib/util/os.js': [
    [
      'const node_child_process_1 = require("node:child_process");',
      'const node_child_process_1 = new Proxy({}, { get: (_, name) => require("node:child_process")[name] });',
    ],
    ["(await import('wsl-utils')).isWsl ?", "(await import('is-wsl')).default ?"],
  ],
  // undici loads node:http as it loads (~5 ms) for the IncomingMessage
  // class, compared with a stream's constructor when it is destroyed, and
  // for http.maxHeaderSize, the default of a client made without one
  // (transport.ts always gives one): both asked of node:http when used.
  'undici/lib/core/util.js': [
    ["const { IncomingMessage } = require('node:http')\n", ''],
    [
      'Object.getPrototypeOf(stream).constructor === IncomingMessage',
      "Object.getPrototypeOf(stream).constructor?.name === 'IncomingMessage' && Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage",
    ],
  ],
  'undici/lib/dispatcher/client.js': [
    ["const http = require('node:http')\n", ''],
    [
      `const getDefaultNodeMaxHeaderSize = http &&
  http.maxHeaderSize &&
  Number.isInteger(http.maxHeaderSize) &&
  http.maxHeaderSize > 0
  ? () => http.maxHeaderSize
  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }`,
      `const getDefaultNodeMaxHeaderSize = () => {
  const http = require('node:http')
  if (Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize
  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')
}`,
    ],
  ],
};

/** An esbuild plugin that applies `patches` (node_modules path → [from, to] pairs). */
function patchedSources(patches) {
  const files = new Map(
    Object.entries(patches).map(([file, pairs]) => [join(root, 'node_modules', file), pairs]),
  );
  const applied = new Set();
  return {
    name: 'patched-sources',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, (file) => {
        const pairs = files.get(file.path);
        if (pairs === undefined) return undefined;
        let contents = readFileSync(file.path, 'utf8');
        for (const [from, to] of pairs) {
          if (!contents.includes(from))
            throw new Error(
              `${file.path} no longer holds ${JSON.stringify(from)}: update bin/package.js`,
            );
          contents = contents.replace(from, to);
        }
        applied.add(file.path);
        return { contents, loader: 'js' };
      });
      b.onEnd(() => {
        const unused = [...files.keys()].filter((f) => !applied.has(f));
        if (unused.length > 0)
          throw new Error(`${unused.join(', ')} no longer bundled: update bin/package.js`);
      });
    },
  };
}

/**
 * The patched oclif compares command ids by code unit; the collator must
 * order them alike (lowercase ASCII words joined by ':' and '-' do).
 */
function commandIdsSortByCodeUnit(manifest) {
  const ids = embeddedPlugins(manifest).flatMap((p) => Object.keys(p.manifest.commands));
  const byCollator = [...ids].sort((a, b) => a.localeCompare(b));
  const byCodeUnit = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (byCollator.join('\n') !== byCodeUnit.join('\n'))
    throw new Error(`command ids sort differently by code unit: ${byCodeUnit.join(', ')}`);
}

/**
 * oclif's debug package loads node:tty (to colour DEBUG=… output) at every
 * start: the single file gives oclif one that does nothing unless DEBUG is
 * set, as debug itself decides at load, and the real one when it is.
 */
const quietDebug = {
  name: 'quiet-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) =>
      /[\\/]@oclif[\\/]core[\\/]/.test(args.importer)
        ? { path: 'debug', namespace: 'quiet-debug' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'quiet-debug' }, () => ({
      contents: `'use strict';
function quiet(namespace) {
  const debug = () => {};
  debug.enabled = false;
  debug.namespace = namespace;
  debug.extend = (name, delimiter = ':') => quiet(namespace + delimiter + name);
  return debug;
}
module.exports = process.env.DEBUG ? require(${JSON.stringify(join(root, 'node_modules', 'debug', 'src', 'index.js'))}) : quiet;
`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** Every .ts file under dir. */
function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/**
 * Every character outside ASCII as a \\uXXXX escape. esbuild escapes them in
 * code but leaves a few in kept comments and in one regular expression; one
 * of them makes node read the 2 MB file as UTF-8 and V8 hold it as a
 * two-byte string (~10 ms more at every start). An escape means the same in
 * strings, regular expressions and identifiers, and nothing in comments.
 */
function asciiOnly(file) {
  const source = readFileSync(file, 'utf8');
  const ascii = source.replace(
    /[^\x00-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (ascii !== source) writeFileSync(file, ascii);
}

/** bmpack.cjs: everything in one CommonJS file that requires only Node's own modules. */
async function bundle(manifest, work) {
  commandIdsSortByCodeUnit(manifest);
  await build({
    entryPoints: [join(root, 'bin', 'single-file.js')],
    outfile: join(work, 'bmpack.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // Not minified: it starts no slower, and --debug stack traces stay readable.
    keepNames: true,
    logLevel: 'warning',
    plugins: [embedded(manifest), slimUndici, noHttp2, patchedSources(sourcePatches), quietDebug],
    // oclif loads these only to run TypeScript sources in development.
    external: ['typescript', 'ts-node', 'source-map-support'],
    // import.meta.url is used only where the single-file build does not go
    // (worker-pool.ts's module paths: useSingleFileWorkers replaces them).
    logOverride: { 'empty-import-meta': 'silent' },
    // oclif's start-up check of Node's version reads its package.json from
    // disk; the executable carries its own Node.
    define: { 'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"' },
  });
  asciiOnly(join(work, 'bmpack.cjs'));
}

/**
 * bmpack.cjs.cache beside the published bmpack.cjs: V8's code cache for it
 * as bin/run.js loads it (which finds a bmpack.cjs beside itself first).
 * It is taken at the end of a real `push images` re-run (a bundle made from
 * bin/warm-up-registry.js's image, pushed where that image already is), so
 * that the functions such a run needs are compiled already: 8 ms less on a
 * re-run than a cache taken after `--help`. Made in place, because the cache
 * remembers the file's path for stack traces.
 */
async function codeCache(dir) {
  const launcher = join(dir, `run-${process.pid}.mjs`);
  const work = mkdtempSync(join(tmpdir(), 'bmpack-warm-up-'));
  copyFileSync(join(root, 'bin', 'run.js'), launcher);
  // run.js imports it from beside itself.
  const tuning = join(dir, 'gc-tuning.js');
  copyFileSync(join(root, 'bin', 'gc-tuning.js'), tuning);
  const registry = await startWarmUpRegistry();
  const bmpack = (args, env = {}) =>
    run(process.execPath, [launcher, ...args], {
      cwd: work,
      env: { ...process.env, DOCKER_CONFIG: work, NO_PROXY: '*', ...env },
      timeout: 60_000,
    });
  try {
    writeFileSync(join(work, 'images.txt'), `${registry.host}/warm/up:1\n`);
    const bundle = join(work, 'warm-up.tar.xz');
    await bmpack([
      'bundle',
      'create',
      '--manifest',
      'images.txt',
      '--output',
      bundle,
      '--insecure-registry',
      registry.host,
      '--cache-dir',
      join(work, 'cache'),
    ]);
    await bmpack(
      [
        'push',
        'images',
        '--source',
        bundle,
        '--private-registry',
        `${registry.host}/mirror`,
        '--plain-http',
        '--need-credential=false',
        '--json',
      ],
      { BMPACK_WRITE_CODE_CACHE: '1' },
    );
  } finally {
    await registry.close();
    rmSync(launcher, { force: true });
    rmSync(tuning, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The SEA preparation blob of bmpack.cjs for `arch`, made by Node 24 x64. A
 * code cache is V8's for one architecture, so only the x64 blob has one
 * (Node's single-executable docs: a blob for another platform needs
 * useCodeCache and useSnapshot off).
 */
function seaBlob(work, arch) {
  const output = `sea-prep-${arch}.blob`;
  // Relative, so that stack traces name bmpack.cjs, not this temporary folder.
  const settings = { main: 'bmpack.cjs', output, useCodeCache: arch === 'x64', useSnapshot: false };
  const sea = { ...settings, disableExperimentalSEAWarning: true };
  const config = `sea-config-${arch}.json`;
  writeFileSync(join(work, config), `${JSON.stringify(sea, null, 2)}\n`);
  quietly(nodeRuntime('x64'), ['--experimental-sea-config', config], work);
  return join(work, output);
}

/** bmpack-linux-ARCH: a copy of Node 24's binary for `arch` with the blob injected by postject. */
function makeExecutable(blob, work, arch) {
  const node = nodeRuntime(arch);
  if (!readFileSync(node).includes(`${fuse}:0`))
    throw new Error(`${node} cannot make single executables: use an official Node.js build`);
  const file = join(work, `bmpack-linux-${arch}`);
  copyFileSync(node, file);
  chmodSync(file, 0o755);
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  quietly(process.execPath, [postject, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', fuse]);
}

/** SHA256SUMS of the executables, as sha256sum writes and checks it. */
function checksums(work) {
  const lines = executables.map(
    (name) =>
      `${createHash('sha256')
        .update(readFileSync(join(work, name)))
        .digest('hex')}  ${name}\n`,
  );
  writeFileSync(join(work, 'SHA256SUMS'), lines.join(''));
}

/** Runs a tool; its output (postject's is noisy) is shown only if it fails. */
function quietly(command, args, cwd) {
  try {
    execFileSync(command, args, { stdio: 'pipe', cwd });
  } catch (err) {
    process.stderr.write(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    throw err;
  }
}

/** Copies what was made into dist/, each renamed into place (a running bmpack is not disturbed). */
function publish(work) {
  mkdirSync(dist, { recursive: true });
  for (const name of [...outputs, ...(args['script-only'] ? [] : ['SHA256SUMS'])]) {
    copyFileSync(join(work, name), join(dist, `${name}.partial`));
    renameSync(join(dist, `${name}.partial`), join(dist, name));
  }
}

const mib = (file) => `${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`;

async function main() {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'bmpack-package-'));
  try {
    await bundle(await commandManifest(), work);
    for (const arch of args['script-only'] ? [] : targets)
      makeExecutable(seaBlob(work, arch), work, arch);
    if (!args['script-only']) checksums(work);
    publish(work);
    await codeCache(dist);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const script = join(dist, 'bmpack.cjs');
  const made = `${script}: ${mib(script)}, code cache ${mib(`${script}.cache`)}`;
  const sizes = executables.map((name) => `${join(dist, name)}: ${mib(join(dist, name))}`);
  console.log([...sizes, `${made}, ${seconds} s`].join('\n'));
}

await main();
