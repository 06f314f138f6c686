/**
 * `npm run demo` end to end, as CI runs it: the real CLI against two real
 * registries. Also: Ctrl-C stops everything it started, and a machine
 * without docker-registry (nothing but Node on PATH) runs it against
 * bmpack's embedded registry.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { spawnTracked, type TrackedProcess } from '../rig/processes.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { demoSteps } from './demo-steps.js';
import { repoRoot } from './run-bmpack.js';

function startDemo(env: NodeJS.ProcessEnv = process.env): TrackedProcess {
  return spawnTracked(process.execPath, ['--import', 'tsx', 'bin/demo.ts'], { cwd: repoRoot, env });
}

/** Resolves true when nothing listens on `host` (127.0.0.1:PORT) any more. */
function refused(host: string): Promise<boolean> {
  const [address, port] = host.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: Number(port) });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => {
      resolve(true);
    });
  });
}

/** The work folder and registry hosts the demo printed. */
function startedThings(output: string): { work: string; hosts: string[] } {
  const work = /^Working in (\S+) /m.exec(output)?.[1];
  const hosts = [...output.matchAll(/^ {4}(?:public|private) +http:\/\/(\S+)/gm)].map((m) => m[1]!);
  expect(work, output).to.be.a('string');
  expect(hosts, output).to.have.length(2);
  return { work: work!, hosts };
}

async function expectAllStopped(output: string): Promise<void> {
  const { work, hosts } = startedThings(output);
  expect(existsSync(work), `${work} is still there`).to.equal(false);
  for (const host of hosts) expect(await refused(host), `${host} still answers`).to.equal(true);
}

/** Waits until `proc` has printed `text`; fails if it exits first or takes too long. */
async function waitFor(proc: TrackedProcess, text: string, timeoutMs: number): Promise<void> {
  const state = { exited: false };
  void proc.exited.then(() => {
    state.exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (state.exited || Date.now() > deadline) {
      throw new Error(`no "${text}" in:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run demo', function () {
  this.timeout(180_000);

  it('runs every step of the workflow with the real CLI and exits 0', async () => {
    const demo = startDemo();
    const { code } = await demo.exited;
    const output = demo.output();
    expect(code, output).to.equal(0);
    for (const [i, step] of demoSteps.entries()) {
      expect(output).to.include(`==> ${i + 1}/${demoSteps.length}  ${step.title}`);
    }
    expect(output).to.include('$ bmpack bundle create --manifest demo.yaml');
    expect(output).to.include('ok   sidecar: bmpackages_1.0.0.tar.xz.sha256 matches');
    expect(output).to.include('4 of 4 images served');
    expect(output).to.include('Demo finished');
    await expectAllStopped(output);
  });

  it('stops its registries and removes its folder on Ctrl-C, exit 130', async () => {
    const demo = startDemo();
    await waitFor(demo, '$ bmpack push images', 60_000);
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    const output = demo.output();
    expect(code, output).to.equal(130);
    expect(output).to.include('Interrupted');
    await expectAllStopped(output);
  });

  it('runs the whole workflow with nothing but Node on PATH: bmpack serve --root stands in for docker-registry', async () => {
    const emptyPath = await makeTempDir('bmpack-demo-path-');
    try {
      const demo = startDemo({ ...process.env, PATH: emptyPath.path });
      const { code } = await demo.exited;
      const output = demo.output();
      expect(code, output).to.equal(0);
      expect(output).to.include('(both are bmpack serve --root)');
      expect(output).to.include('4 of 4 images served');
      expect(output).to.include('Demo finished');
      await expectAllStopped(output);
    } finally {
      await emptyPath.stop();
    }
  });
});
