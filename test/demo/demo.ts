/**
 * `npm run demo`: the whole air-gap workflow on this machine, against two
 * real local registries, with the real CLI. Everything it starts (registries,
 * bmpack processes, temporary folders) is stopped or removed at the end, on
 * failure and on Ctrl-C.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { running, stopAll } from '../rig/processes.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { demoSteps, type DemoContext } from './demo-steps.js';
import { demoEnv, requireBuild } from './run-bmpack.js';

/** Exit status of an interrupted demo, as for any program ended by Ctrl-C. */
const INTERRUPTED = 130;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The build must be there; docker-registry is used when installed (bmpack serve --root otherwise). */
function checkPrerequisites(): void {
  requireBuild();
}

/** Ctrl-C: stop everything, remove the temporary folders, exit 130. */
function onInterrupt(state: { interrupted: boolean }): void {
  process.on('SIGINT', () => {
    if (state.interrupted) return;
    state.interrupted = true;
    process.stderr.write('\nInterrupted: stopping the registries and removing temporary files.\n');
    void stopAll().finally(() => process.exit(INTERRUPTED));
  });
}

async function runSteps(ctx: DemoContext): Promise<void> {
  for (const [i, step] of demoSteps.entries()) {
    const started = Date.now();
    say(`\n==> ${i + 1}/${demoSteps.length}  ${step.title}`);
    say(`    ${step.does}`);
    await step.exec(ctx);
    say(`    (done in ${seconds(started)})`);
  }
}

async function makeContext(cancelled: () => boolean): Promise<DemoContext> {
  const work = (await makeTempDir('bmpack-demo-')).path;
  await mkdir(join(work, 'docker-config'));
  say(`Working in ${work} (removed at the end).`);
  const env = demoEnv(join(work, 'docker-config'));
  return { work, site: join(work, 'site'), run: { cwd: work, env, cancelled } };
}

/** Runs the demo; resolves with the exit status. */
export async function main(): Promise<number> {
  const state = { interrupted: false };
  const started = Date.now();
  try {
    checkPrerequisites();
    onInterrupt(state);
    say('bmpack demo: a release bundled from one registry and replayed into another.');
    await runSteps(await makeContext(() => state.interrupted));
    say(`\nDemo finished in ${seconds(started)}: every image is in the private registry.`);
    return 0;
  } catch (err) {
    if (state.interrupted) return INTERRUPTED;
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (!state.interrupted && running().length > 0)
      say('Stopping the registries and removing temporary files.');
    await stopAll();
  }
}
