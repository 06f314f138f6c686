/**
 * Runs the real CLI (bin/run.js, the build in dist/) as a child process, the
 * way a user would, with its output going straight to the demo's terminal.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../rig/cli.js';

export { repoRoot } from '../rig/cli.js';
const builtCommands = fileURLToPath(new URL('../../dist/commands', import.meta.url));

/** Throws unless dist/ holds a build (`npm run demo` builds first; `node bin/demo.ts` does not). */
export function requireBuild(): void {
  if (!existsSync(builtCommands)) {
    throw new Error('dist/ has no build of bmpack: run `npm run build` (npm run demo does it).');
  }
}

/**
 * The environment of every bmpack child: an empty Docker config (the user's
 * credential helpers have no business with the demo's registries) and
 * 127.0.0.1 exempt from any HTTP(S)_PROXY of the user's.
 */
export function demoEnv(dockerConfigDir: string): NodeJS.ProcessEnv {
  const noProxy = [process.env['NO_PROXY'] ?? process.env['no_proxy'], '127.0.0.1', 'localhost']
    .filter((part) => part !== undefined && part !== '')
    .join(',');
  return { ...process.env, DOCKER_CONFIG: dockerConfigDir, NO_PROXY: noProxy, no_proxy: noProxy };
}

/** Options of {@link runBmpack}. */
export interface BmpackRun {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Checked before starting: an interrupted demo starts nothing new. */
  cancelled: () => boolean;
}

/**
 * Prints `$ bmpack COMMAND-LINE`, runs it and throws unless it exits 0. The
 * arguments are the command line's words: none of the demo's holds a space.
 */
export async function runBmpack(commandLine: string, run: BmpackRun): Promise<void> {
  if (run.cancelled()) throw new Error('interrupted');
  process.stdout.write(`\n$ bmpack ${commandLine}\n`);
  const args = commandLine.split(' ');
  // The demo's environment as it is: it wants the user's settings, bar NO_PROXY.
  const { code, signal } = await runCli(args, {
    cwd: run.cwd,
    env: run.env,
    inheritEnv: false,
    echo: true,
    timeoutMs: 600_000,
  });
  if (code !== 0) {
    const how = signal !== null ? `was killed by ${signal}` : `exited with ${String(code)}`;
    throw new Error(`bmpack ${args.slice(0, 2).join(' ')} ${how}`);
  }
}
