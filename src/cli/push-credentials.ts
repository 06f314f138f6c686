/**
 * Credentials for the registry a push writes to, as bmctl asks for them:
 * with --need-credential (the default) and neither --username nor
 * --docker-config, a terminal is asked for a user name and a hidden
 * password, or for a Docker config file; without a terminal the Docker
 * config's entry for that host is used, or the push fails with a clear
 * message. --need-credential=false pushes anonymously.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BmpackError } from '../errors.js';
import { registerSecret } from '../redact.js';
import {
  dockerConfigCredentials,
  staticCredentials,
  type CredentialStore,
} from '../registry/auth/credentials/index.js';
import { ask, type PromptIo } from './prompt.js';
import { clientSetup } from './client-options.js';
import type { RegistryFlagValues } from './registry-flags.js';

export interface PushCredentialOptions extends RegistryFlagValues {
  readonly 'need-credential': boolean;
}

export interface PushCredentials {
  readonly credentials: CredentialStore | undefined;
  readonly warnings: readonly string[];
}

export interface PushCredentialEnv {
  readonly interactive: boolean;
  readonly io: PromptIo;
  readonly stdin: NodeJS.ReadableStream;
}

export async function pushCredentials(
  registry: string,
  flags: PushCredentialOptions,
  env: PushCredentialEnv,
): Promise<PushCredentials> {
  if (!flags['need-credential']) return { credentials: undefined, warnings: [] };
  if (flags.username !== undefined || flags['docker-config'] !== undefined) {
    const setup = await clientSetup(registry, flags, env.stdin);
    return { credentials: setup.options.credentials, warnings: setup.warnings };
  }
  if (env.interactive)
    return { credentials: await promptCredentials(registry, env.io), warnings: [] };
  const fromConfig = dockerConfigCredentials();
  if ((await fromConfig.get(registry)) === undefined) {
    throw new BmpackError(
      'E_CREDENTIALS_MISSING',
      `no credentials for ${registry}, and no terminal to ask for them`,
      {
        hint: `Pass --username USER --password-stdin, or --docker-config PATH with an entry for ${registry}, or --need-credential=false for a registry without authentication.`,
      },
    );
  }
  return { credentials: fromConfig, warnings: [] };
}

/** {@link pushCredentials} on this process's terminal, if it has one. */
export function terminalPushCredentials(
  registry: string,
  flags: PushCredentialOptions,
): Promise<PushCredentials> {
  const interactive =
    process.stdin.isTTY && process.stderr.isTTY && flags['password-stdin'] !== true;
  return pushCredentials(registry, flags, {
    interactive,
    io: { input: process.stdin, output: process.stderr },
    stdin: process.stdin,
  });
}

async function promptCredentials(registry: string, io: PromptIo): Promise<CredentialStore> {
  const username = await ask(
    io,
    `Username for ${registry} (leave empty to use a Docker config file): `,
  );
  if (username === '') {
    const fallback = join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
    const path = (await ask(io, `Docker config file [${fallback}]: `)) || fallback;
    return dockerConfigCredentials({ path });
  }
  const password = await ask(io, `Password for ${username}@${registry}: `, true);
  registerSecret(password);
  return staticCredentials({ [registry]: { username, password } });
}
