/**
 * The Node versions bmpack claims (issue 19, items 5-6): package.json's
 * `engines` names Node 22 and 24 LTS; the Node CI and the single
 * executables use (.node-version) is a 24 that `engines` accepts, with its
 * tarballs' integrity pinned for both architectures; and every package
 * `npm ci` installs accepts the oldest Node of each line `engines` allows,
 * and the pinned one, so `npm ci` prints no EBADENGINE on any Node that
 * bmpack supports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import semver from 'semver';
import { repoRoot } from '../rig/cli.js';

const readJson = (file: string): unknown => JSON.parse(readFileSync(join(repoRoot, file), 'utf8'));

const pkg = readJson('package.json') as { engines: { node: string } };
const lock = readJson('package-lock.json') as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};
const pinned = readFileSync(join(repoRoot, '.node-version'), 'utf8').trim();
const integrity = readJson('bin/node-runtime.json') as Record<string, string>;

/** The lowest version of each `||` alternative of package.json's engines.node. */
const oldestSupported = pkg.engines.node
  .split('||')
  .map((range) => semver.minVersion(range)?.version ?? `no version satisfies ${range}`);

describe('Node versions', () => {
  it('engines names Node 22 and 24 LTS, and nothing older or between', () => {
    expect(oldestSupported.map((v) => semver.major(v))).to.deep.equal([22, 24]);
    for (const v of ['22.13.0', '22.99.0', '24.0.0', '24.99.0'])
      expect(semver.satisfies(v, pkg.engines.node), v).to.equal(true);
    for (const v of ['20.19.0', '23.11.0', '25.0.0'])
      expect(semver.satisfies(v, pkg.engines.node), v).to.equal(false);
  });

  it('pins a Node 24 that engines accepts, with its integrity for x64 and arm64', () => {
    expect(semver.major(pinned)).to.equal(24);
    expect(semver.satisfies(pinned, pkg.engines.node)).to.equal(true);
    for (const arch of ['x64', 'arm64'])
      expect(integrity[`node-linux-${arch}@${pinned}`], arch).to.match(
        /^sha512-[A-Za-z0-9+/]{86}==$/,
      );
  });

  it('every locked package accepts the oldest supported Node of each line and the pinned one', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Old lockfiles may carry engines as an array of strings; npm ignores those.
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || range === undefined) continue;
      for (const node of [...oldestSupported, pinned])
        if (!semver.satisfies(node, range)) refused.push(`${path} (${range}) refuses ${node}`);
    }
    expect(refused, 'npm ci would print EBADENGINE').to.deep.equal([]);
  });
});

describe('garbage-collection flags by V8 version (bin/gc-tuning.js)', () => {
  it('sets none on Node 22’s V8, which lacks the first and would print “unrecognized flag”', async () => {
    const { gcFlagsFor } = await import('../../bin/gc-tuning.js');
    expect(gcFlagsFor('12.4.254.21-node.33')).to.deep.equal([]);
    expect(gcFlagsFor('13.5.212.10')).to.deep.equal([]);
  });

  it('sets all three from V8 13.6 (Node 24) on', async () => {
    const { gcFlagsFor } = await import('../../bin/gc-tuning.js');
    const all = [
      '--external-memory-accounted-in-global-limit',
      '--semi-space-growth-factor=1',
      '--heap-growing-percent=50',
    ];
    expect(gcFlagsFor('13.6.233.17-node.63')).to.deep.equal(all);
    expect(gcFlagsFor('14.1.0')).to.deep.equal(all);
  });
});
