/**
 * The demo's registries: docker-registry (the CNCF distribution server) when
 * it is installed, else bmpack's own embedded registry (`bmpack serve
 * --root`), so that `npm run demo` runs on a machine with nothing but Node.
 */
import { join } from 'node:path';
import { startCli, waitForStderr } from '../rig/cli.js';
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
  const host = await waitForStderr(cli, /on http:\/\/(\S+) \(accepts pushes/);
  return { host, origin: `http://${host}`, kind: 'bmpack serve --root' };
}
