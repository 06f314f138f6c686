/**
 * Credentials for the registry a push writes to, as bmctl asks for them,
 * with --need-credential (the default) and neither --username nor
 * --docker-config: the Docker config's entry for that host when it has one
 * (stored credentials come before any question); else, on a terminal and
 * not for a dry run, a user name and a hidden password, or a Docker config
 * file; else the push fails with a clear message (a dry run goes on without
 * credentials). --need-credential=false pushes anonymously.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BmpackError } from '../errors.js';
import { registerSecret } from '../redact.js';
import {
  dockerConfigCredentials,
  staticCredentials,
  storedCredentials,
  type CredentialStore,
} from '../registry/auth/credentials/index.js';
import { ask, type PromptIo } from './prompt.js';
import { clientSetup, namesLogin } from './client-options.js';
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
  /** A dry run writes nothing: it never asks. */
  readonly dryRun?: boolean;
  /** Where stored credentials are looked up first (default: the Docker config). */
  readonly stored?: CredentialStore;
}

export async function pushCredentials(
  registry: string,
  flags: PushCredentialOptions,
  env: PushCredentialEnv,
): Promise<PushCredentials> {
  if (!flags['need-credential']) return { credentials: undefined, warnings: [] };
  if (namesLogin(flags)) {
    const setup = await clientSetup(registry, flags, env.stdin);
    return { credentials: setup.credentials, warnings: setup.warnings };
  }
  const fromConfig = env.stored ?? storedCredentials();
  if ((await fromConfig.get(registry)) !== undefined)
    return { credentials: fromConfig, warnings: [] };
  if (env.dryRun === true) return { credentials: undefined, warnings: [] };
  if (env.interactive)
    return { credentials: await promptCredentials(registry, env.io), warnings: [] };
  throw new BmpackError(
    'E_CREDENTIALS_MISSING',
    `no credentials for ${registry}, and no terminal to ask for them`,
    {
      hint: `Pass --username USER --password-stdin, or --docker-config PATH with an entry for ${registry}, or --need-credential=false for a registry without authentication.`,
    },
  );
}

/** {@link pushCredentials} on this process's terminal, if it has one. */
export function terminalPushCredentials(
  registry: string,
  flags: PushCredentialOptions,
  dryRun = false,
): Promise<PushCredentials> {
  const interactive =
    process.stdin.isTTY && process.stderr.isTTY && flags['password-stdin'] !== true;
  return pushCredentials(registry, flags, {
    interactive,
    dryRun,
    io: { input: process.stdin, output: process.stderr },
    stdin: process.stdin,
  });
}

async function promptCredentials(registry: string, io: PromptIo): Promise<CredentialStore> {
  try {
    return await askCredentials(registry, io);
  } catch (err) {
    if (err instanceof BmpackError) throw err;
    // The terminal's input ended (Ctrl-D) before an answer.
    throw new BmpackError(
      'E_CREDENTIALS_MISSING',
      `no credentials for ${registry}: the input ended before an answer`,
      {
        hint: `Answer the questions, or pass --username USER --password-stdin, --docker-config PATH, or --need-credential=false for a registry without authentication.`,
        cause: err,
      },
    );
  }
}

async function askCredentials(registry: string, io: PromptIo): Promise<CredentialStore> {
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
