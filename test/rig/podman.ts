/**
 * podman without a daemon and without touching the machine's storage:
 * every run uses a root, run root and temp dir under `work` (vfs driver,
 * file events, cgroupfs), as Debian's podman 4.3 runs rootless in tests.
 */
import { join } from 'node:path';
import { runTool } from './processes.js';
import { requireTool } from './tools.js';

export type Podman = (args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<string>;

export function podmanIn(work: string): Podman {
  return async (args, env = {}) => {
    const bin = requireTool('podman', 'podman');
    // prettier-ignore
    const store = [
      '--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--tmpdir', join(work, 'tmp'),
      '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs',
    ];
    const out = await runTool(bin, [...store, ...args], {
      env: { ...process.env, ...env },
      timeoutMs: 120_000,
    });
    return out.toString('utf8').trim();
  };
}
