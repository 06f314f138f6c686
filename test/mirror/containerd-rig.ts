/**
 * A real containerd (Debian package `containerd`, 1.6) for mirror tests,
 * with its own root, state and sockets in a temp folder, so it never meets
 * the machine's containerd. Tracked like every rig process: stopping it
 * (or the root hook's stopAll) ends the daemon and removes the folder.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, spawnTracked, track, type RunOptions } from '../rig/processes.js';
import { makeTempDir } from '../rig/temp-dir.js';
import { requireTool } from '../rig/tools.js';

export interface RunningContainerd {
  /** The gRPC socket, for `ctr --address`. */
  readonly address: string;
  /** The temp folder holding config, root, state and sockets. */
  readonly dir: string;
  /** Runs `ctr --address SOCK ARGS…` and returns its stdout; throws with the output on failure. */
  ctr(args: readonly string[], options?: RunOptions): Promise<string>;
  /** containerd's log so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface ContainerdOptions {
  /** TOML appended to the generated config.toml (e.g. CRI registry settings). */
  readonly extraConfig?: string;
  /** Keep the CRI plugin enabled (kubelet's way in: test/mirror/cri-client.ts talks to it). Default: disabled. */
  readonly cri?: boolean;
  /** Config files containerd merges into its config (`imports`), e.g. a generated fragment. */
  readonly imports?: readonly string[];
}

/** The config.toml the rig runs containerd with: version 2, everything under `dir`. */
export function rigContainerdConfig(dir: string, options: ContainerdOptions = {}): string {
  const disabled = [
    ...(options.cri === true ? [] : ['io.containerd.grpc.v1.cri']),
    'io.containerd.snapshotter.v1.aufs',
    'io.containerd.snapshotter.v1.btrfs',
    'io.containerd.snapshotter.v1.devmapper',
    'io.containerd.snapshotter.v1.zfs',
  ];
  return [
    'version = 2',
    ...(options.imports !== undefined ? [`imports = ${JSON.stringify(options.imports)}`] : []),
    `root = ${JSON.stringify(join(dir, 'root'))}`,
    `state = ${JSON.stringify(join(dir, 'state'))}`,
    `disabled_plugins = ${JSON.stringify(disabled)}`,
    '',
    '[grpc]',
    `  address = ${JSON.stringify(join(dir, 'containerd.sock'))}`,
    '',
    '[ttrpc]',
    `  address = ${JSON.stringify(join(dir, 'containerd.ttrpc.sock'))}`,
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${JSON.stringify(join(dir, 'opt'))}`,
    '',
    options.extraConfig ?? '',
  ].join('\n');
}

/** Starts containerd and waits until `ctr version` reaches it (default 20 s). */
export async function startContainerd(
  options: ContainerdOptions = {},
  timeoutMs = 20_000,
): Promise<RunningContainerd> {
  const containerd = requireTool('containerd', 'containerd');
  const ctrBin = requireTool('ctr', 'containerd');
  const dirHandle = await makeTempDir('bmpack-ctrd-');
  const dir = dirHandle.path;
  const address = join(dir, 'containerd.sock');
  const configFile = join(dir, 'config.toml');
  await writeFile(configFile, rigContainerdConfig(dir, options));
  const proc = spawnTracked(containerd, ['--config', configFile, '--log-level', 'info']);
  const ctr = async (args: readonly string[], runOptions: RunOptions = {}): Promise<string> =>
    (await runTool(ctrBin, ['--address', address, ...args], runOptions)).toString('utf8');
  const stopAllOfIt = async (): Promise<void> => {
    await proc.stop();
    await dirHandle.stop();
  };
  const state = { exited: false };
  void proc.exited.then(() => {
    state.exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (state.exited) {
      await stopAllOfIt();
      throw new Error(`containerd exited during start-up:\n${proc.output()}`);
    }
    try {
      await ctr(['version'], { timeoutMs: 5_000 });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stopAllOfIt();
        throw new Error(
          `containerd did not answer on ${address} within ${timeoutMs} ms:\n${proc.output()}`,
          {
            cause: err,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const handle = track(`containerd ${dir}`, stopAllOfIt);
  return { address, dir, ctr, log: () => proc.output(), stop: () => handle.stop() };
}

/** `ctr images ls` as {name → digest}. */
export async function imageDigests(c: RunningContainerd): Promise<Map<string, string>> {
  const out = await c.ctr(['images', 'ls']);
  const map = new Map<string, string>();
  for (const line of out.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const name = cols[0];
    const digest = cols.find((c) => c.startsWith('sha256:'));
    if (name !== undefined && name !== '' && digest !== undefined) map.set(name, digest);
  }
  return map;
}
