/**
 * The unit run's promise: no test starts a process or opens a listening
 * socket, so `npm run test:unit` needs no tools and leaves nothing running.
 * Installing the guard replaces child_process's starters and net.Server's
 * listen() with functions that throw; each refusal is also kept, because
 * product code may catch the error (and fall back) where the test cannot see.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { currentRunnable } from './current-runnable.js';

/** What a refused test should do about it. */
export const GUARD_ADVICE =
  'this test starts a server/process: name its file *.integration.test.ts';

const STARTERS = [
  'spawn',
  'spawnSync',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
  'fork',
] as const;

type Starter = (typeof STARTERS)[number];

const refusals: string[] = [];
let installs = 0;
let originals: { starters: Map<Starter, unknown>; listen: net.Server['listen'] } | undefined;

function refuse(what: string): never {
  const message = `${GUARD_ADVICE} (${what} in ${currentRunnable()})`;
  refusals.push(message);
  throw new Error(message);
}

/** Describes a call's first argument: the command, or the port. */
function firstArg(args: readonly unknown[]): string {
  const first = args[0];
  return typeof first === 'string' || typeof first === 'number' ? JSON.stringify(first) : '…';
}

function patch(): void {
  const starters = new Map<Starter, unknown>();
  const target = childProcess as unknown as Record<Starter, unknown>;
  for (const name of STARTERS) {
    starters.set(name, target[name]);
    target[name] = (...args: unknown[]) => refuse(`child_process.${name}(${firstArg(args)})`);
  }
  // Kept to be put back on the prototype, never called apart from a server.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  originals = { starters, listen: net.Server.prototype.listen };
  net.Server.prototype.listen = function (...args: unknown[]) {
    return refuse(`server.listen(${firstArg(args)})`);
  };
  // ESM named imports of builtins are separate bindings; this re-syncs them.
  syncBuiltinESMExports();
}

function unpatch(): void {
  if (originals === undefined) return;
  const target = childProcess as unknown as Record<Starter, unknown>;
  for (const [name, original] of originals.starters) target[name] = original;
  net.Server.prototype.listen = originals.listen;
  originals = undefined;
  syncBuiltinESMExports();
}

/**
 * Starts refusing processes and listening sockets. Nested installs count: the
 * returned function undoes this one, and the last undo lifts the guard.
 */
export function installUnitGuard(): () => void {
  if (installs++ === 0) patch();
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (--installs === 0) unpatch();
  };
}

/** Whether processes and listening sockets are refused now. */
export function unitGuardOn(): boolean {
  return originals !== undefined;
}

/** The refusals since the last call, emptied (caught ones included). */
export function takeRefusals(): string[] {
  return refusals.splice(0);
}
