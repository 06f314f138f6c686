/**
 * The demo's registries: docker-registry (the CNCF distribution server) when
 * it is installed, else bmpack's own embedded registry (`bmpack serve
 * --root`), so that `npm run demo` runs on a machine with nothing but Node.
 */
import { join } from 'node:path';
import { startCli } from '../rig/cli.js';
import { startRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';
import type { BmpackRun } from './run-bmpack.js';

export interface DemoRegistry {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly origin: string;
  /** What answers there. */
  readonly kind: 'docker-registry' | 'bmpack serve --root';
}

export function hasDockerRegistry(): boolean {
  try {
    requireTool('docker-registry', 'docker-registry');
    return true;
  } catch {
    return false;
  }
}

export async function startDemoRegistry(
  name: string,
  work: string,
  run: BmpackRun,
): Promise<DemoRegistry> {
  if (hasDockerRegistry()) {
    const reg = await startRegistry('anonymous');
    return { host: reg.host, origin: reg.origin, kind: 'docker-registry' };
  }
  const root = join(work, `${name}-registry`);
  const cli = startCli(['serve', '--root', root, '--listen', '127.0.0.1:0'], {
    cwd: run.cwd,
    env: run.env,
    inheritEnv: false,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const host = /on http:\/\/(\S+) \(accepts pushes/.exec(cli.stderr())?.[1];
    if (host !== undefined) return { host, origin: `http://${host}`, kind: 'bmpack serve --root' };
    if (cli.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`bmpack serve --root did not start:\n${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
