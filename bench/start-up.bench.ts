/**
 * Start-up of a short command (issue 19: `--version` under 0.15 s): the x64
 * single executable (npm run package) and `node bin/run.js` on the Node 24
 * the project pins, each run RUNS times, wall clock from spawn to exit.
 * Writes the "start-up" section of RESULTS.md.
 *
 *     npm run package && npx mocha --no-config --import=tsx --require test/rig/hooks.ts bench/start-up.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { nodeRuntime } from '../bin/node-runtime.js';
import { repoRoot } from '../test/rig/cli.js';
import { writeSection } from './results-section.js';

const RUNS = 21;

function timed(command: string, args: readonly string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(command, args, { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    times.push((performance.now() - started) / 1000);
    expect(run.status, run.stderr).to.equal(0);
  }
  return times.sort((a, b) => a - b);
}

describe('bench: start-up of bmpack --version', function () {
  this.timeout(300_000);

  it('the single executable and node bin/run.js answer --version in under 0.15 s', async () => {
    const executable = join(repoRoot, 'dist', 'bmpack-linux-x64');
    expect(existsSync(executable), 'run npm run package first').to.equal(true);
    const node = nodeRuntime('x64');
    const load = loadavg()[0] ?? 0;
    const sea = timed(executable, ['--version']);
    const script = timed(node, [join(repoRoot, 'bin', 'run.js'), '--version']);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? 0;
    const mib = (name: string) =>
      `${name} ${(statSync(join(repoRoot, 'dist', name)).size / 2 ** 20).toFixed(1)} MiB`;
    const sizes = ['bmpack-linux-x64', 'bmpack-linux-arm64'].filter((n) =>
      existsSync(join(repoRoot, 'dist', n)),
    );
    const row = (name: string, xs: number[]) =>
      `| ${name} | ${median(xs).toFixed(3)} s | ${(xs[0] ?? 0).toFixed(3)} s | ${(xs.at(-1) ?? 0).toFixed(3)} s | ${median(xs) < 0.15 ? 'PASS' : 'FAIL'} |`;
    const lines = [
      '## Start-up (issue 19)',
      '',
      `\`npx mocha --no-config --import=tsx --require test/rig/hooks.ts bench/start-up.bench.ts\`, ${new Date().toISOString().slice(0, 10)}: \`--version\`, ${RUNS} runs each, spawn to exit, environment empty but PATH; Node v${readFileSync(join(repoRoot, '.node-version'), 'utf8').trim()}; load average ${load.toFixed(2)} before the runs. Sizes: ${sizes.map(mib).join(', ')}.`,
      '',
      '| command | median | fastest | slowest | target < 0.15 s |',
      '| --- | ---: | ---: | ---: | --- |',
      row('dist/bmpack-linux-x64 (single executable)', sea),
      row('node bin/run.js (dist/bmpack.cjs with its code cache)', script),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await writeSection('start-up', lines.join('\n'));
    expect(median(sea)).to.be.below(0.15);
  });
});
