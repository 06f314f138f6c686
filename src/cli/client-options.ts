/**
 * Connection flags (registry-flags.ts) → the library's host options and
 * credential store. Credentials: --username with --password or
 * --password-stdin for one registry, then the stored logins (--authfile,
 * --docker-config, then where skopeo and docker look: stored-credentials.ts).
 */
import { text } from 'node:stream/consumers';
import { BmpackError } from '../errors.js';
import { registerSecret } from '../redact.js';
import {
  chainCredentials,
  staticCredentials,
  storedCredentials,
} from '../registry/auth/credentials/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import {
  anyRegistry,
  type HostOptions,
  type HostOptionsMap,
} from '../registry/http/host-options.js';
import { isHostWord } from './host-list-argv.js';
import type { RegistryFlagValues } from './registry-flags.js';

export interface ClientSetup {
  readonly hosts: HostOptionsMap;
  readonly credentials: CredentialStore;
  /** Warnings for the user, e.g. about --password on the command line. */
  readonly warnings: readonly string[];
}

/** `HOST=VALUE` → [HOST, VALUE]; anything else applies to every registry. */
function perHost(value: string): [string, string] {
  const at = value.indexOf('=');
  const host = at === -1 ? '' : value.slice(0, at);
  return isHostWord(host) ? [host, value.slice(at + 1)] : [anyRegistry, value];
}

/** --cacert, --plain-http and --insecure-skip-tls-verify as host options, `*` for every registry. */
export function hostOptionsFromFlags(flags: RegistryFlagValues): HostOptionsMap {
  const map = new Map<string, HostOptions>();
  const set = (host: string, o: HostOptions): void => {
    map.set(host, { ...map.get(host), ...o });
  };
  for (const value of flags.cacert ?? []) {
    const [host, file] = perHost(value);
    if (file === '')
      throw new BmpackError('E_USAGE', `invalid --cacert ${JSON.stringify(value)}`, {
        hint: 'Write --cacert FILE (every registry) or --cacert HOST[:PORT]=FILE (that registry).',
      });
    set(host, { caFile: file });
  }
  for (const host of flags['plain-http'] ?? []) set(host, { plainHttp: true });
  for (const host of flags['insecure-skip-tls-verify'] ?? []) set(host, { skipVerify: true });
  const every = map.get(anyRegistry) ?? {};
  return Object.fromEntries(
    [...map].map(([host, o]) => [host, host === anyRegistry ? o : { ...every, ...o }]),
  );
}

/** Whether the user named any login source (then no question is asked). */
export function namesLogin(flags: RegistryFlagValues): boolean {
  return (
    flags.username !== undefined ||
    flags.authfile !== undefined ||
    flags['docker-config'] !== undefined
  );
}

/**
 * `registry` is the one a bare --username USER is for (the registry
 * written to); undefined when the command has no single one.
 */
export async function clientSetup(
  registry: string | undefined,
  flags: RegistryFlagValues,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ClientSetup> {
  const warnings: string[] = [];
  let password = flags.password;
  if (password !== undefined) {
    warnings.push(
      '--password on the command line is visible to other users of this machine; use --password-stdin.',
    );
  }
  if (flags['password-stdin'] === true) password = (await text(stdin)).replace(/\r?\n$/, '');
  registerSecret(password);
  const stored = storedCredentials({
    ...(flags.authfile !== undefined ? { authFile: flags.authfile } : {}),
    ...(flags['docker-config'] !== undefined ? { dockerConfig: flags['docker-config'] } : {}),
  });
  const login = flagLogin(registry, flags.username, password);
  return {
    hosts: hostOptionsFromFlags(flags),
    credentials: login === undefined ? stored : chainCredentials(login, stored),
    warnings,
  };
}

function flagLogin(
  registry: string | undefined,
  username: string | undefined,
  password: string | undefined,
): CredentialStore | undefined {
  if (username === undefined) {
    if (password === undefined) return undefined;
    throw new BmpackError('E_USAGE', 'a password was given without --username', {
      hint: 'Add --username USER.',
    });
  }
  const [named, user] = perHost(username);
  const host = named === anyRegistry ? registry : named;
  if (host === undefined || user === '') {
    throw new BmpackError(
      'E_USAGE',
      `--username ${username} does not say which registry it is for`,
      { hint: 'Write --username HOST[:PORT]=USER: this command talks to several registries.' },
    );
  }
  if (password === undefined) {
    throw new BmpackError('E_USAGE', `--username ${username} was given without a password`, {
      hint: 'Add --password-stdin and pipe the password in.',
    });
  }
  return staticCredentials({ [host]: { username: user, password } });
}
