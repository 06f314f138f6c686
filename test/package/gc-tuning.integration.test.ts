/**
 * bin/gc-tuning.js: the V8 flags bmpack starts with. Short-lived buffers of
 * a socket read's size, as a fetch or push makes by the thousand, must not
 * cost full mark-compacts: a plain Node does several for 512 MB of them; with
 * the flags, scavenges free them and no mark-compact runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { repoRoot } from '../rig/cli.js';

const execFileAsync = promisify(execFile);

/** Runs 512 MB through fresh 64 KiB buffers under --trace-gc; returns each kind of collection's count. */
async function collections(tuned: boolean): Promise<{ markCompacts: number; scavenges: number }> {
  const script = `
    ${tuned ? `(await import(${JSON.stringify(join(repoRoot, 'bin', 'gc-tuning.js'))})).tuneGarbageCollection();` : ''}
    for (let i = 0; i < 8192; i++) {
      Buffer.allocUnsafeSlow(65536)[0] = i;
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  `;
  const { stdout } = await execFileAsync(process.execPath, [
    '--trace-gc',
    '--input-type=module',
    '-e',
    script,
  ]);
  return {
    markCompacts: stdout.split('Mark-Compact').length - 1,
    scavenges: stdout.split('Scavenge').length - 1,
  };
}

describe('garbage-collection flags (bin/gc-tuning.js)', function () {
  this.timeout(60_000);

  it('frees short-lived buffers with scavenges, where plain Node runs full mark-compacts', async () => {
    const plain = await collections(false);
    const tuned = await collections(true);
    expect(plain.markCompacts, 'plain Node: the cost the flags remove').to.be.at.least(2);
    expect(tuned.markCompacts).to.equal(0);
    expect(tuned.scavenges).to.be.at.least(1);
  });
});
