/**
 * Registry flags → RegistryClientOptions for the registry a command talks
 * to. Credentials: --username with --password or --password-stdin, else the
 * Docker config file (and its credential helpers).
 */
import { text } from 'node:stream/consumers';
import { BmpackError } from '../errors.js';
import { registerSecret } from '../redact.js';
import {
  chainCredentials,
  dockerConfigCredentials,
  staticCredentials,
} from '../registry/auth/credentials/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import type { RegistryClientOptions } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import type { RegistryFlagValues } from './registry-flags.js';

export interface ClientSetup {
  readonly options: RegistryClientOptions;
  /** Warnings for the user, e.g. about --password on the command line. */
  readonly warnings: readonly string[];
}

/** --plain-http, --cacert and --insecure-skip-tls-verify as a registry's host options. */
export function hostOptionsFromFlags(flags: RegistryFlagValues): HostOptions {
  return {
    ...(flags['plain-http'] === true ? { plainHttp: true } : {}),
    ...(flags.cacert !== undefined ? { caFile: flags.cacert } : {}),
    ...(flags['insecure-skip-tls-verify'] === true ? { skipVerify: true } : {}),
  };
}

export async function clientSetup(
  registry: string,
  flags: RegistryFlagValues,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ClientSetup> {
  const warnings: string[] = [];
  const host = hostOptionsFromFlags(flags);
  let password = flags.password;
  if (password !== undefined) {
    warnings.push(
      '--password on the command line is visible to other users of this machine; use --password-stdin.',
    );
  }
  if (flags['password-stdin'] === true) password = (await text(stdin)).replace(/\r?\n$/, '');
  registerSecret(password);
  const credentials = credentialStore(registry, flags, password);
  return { options: { hosts: { [registry]: host }, credentials }, warnings };
}

function credentialStore(
  registry: string,
  flags: RegistryFlagValues,
  password: string | undefined,
): CredentialStore {
  const fromConfig = dockerConfigCredentials(
    flags['docker-config'] !== undefined ? { path: flags['docker-config'] } : {},
  );
  if (flags.username === undefined) {
    if (password !== undefined) {
      throw new BmpackError('E_USAGE', 'a password was given without --username', {
        hint: 'Add --username USER.',
      });
    }
    return fromConfig;
  }
  if (password === undefined) {
    throw new BmpackError('E_USAGE', `--username ${flags.username} was given without a password`, {
      hint: 'Add --password-stdin and pipe the password in.',
    });
  }
  return chainCredentials(
    staticCredentials({ [registry]: { username: flags.username, password } }),
    fromConfig,
  );
}
