/**
 * Credentials the way `docker pull` finds them (docker/cli configfile
 * `GetAuthConfig`; protocols.md §2.6): a registry with a `credHelpers`
 * entry, or else any registry when `credsStore` is set, asks that helper
 * only, and its "not found" means anonymous; otherwise the `auths` entry is
 * used.
 */
import type { Credential, CredentialStore } from './credential.js';
import { defaultHelperTimeoutMs, runCredentialHelper } from './credential-helper.js';
import { defaultDockerConfigPath, readDockerConfig } from './docker-config-file.js';
import type { DockerConfig } from './docker-config-file.js';
import { findForRegistry, registryKey } from './registry-key.js';

export interface DockerConfigCredentialsOptions {
  /** An explicit config file; it must exist. Default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  readonly path?: string;
  /** Environment for locating the file (DOCKER_CONFIG, HOME) and for helpers (PATH). Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** A missing `path` means no credentials rather than an error (a default location). */
  readonly optional?: boolean;
  /** How long a credential helper may take. Default: 60 s. */
  readonly helperTimeoutMs?: number;
}

/** The helper suffix for `registry`, or undefined to use `auths` (getConfiguredCredentialStore). */
function helperFor(config: DockerConfig, registry: string): string | undefined {
  // A credHelpers entry wins even when empty: "" means "use the file".
  const helper = findForRegistry(config.credHelpers, registry) ?? config.credsStore;
  return helper === '' ? undefined : helper;
}

/**
 * A store backed by a docker config file. The file is read once, on first
 * use; each registry's answer is remembered, so a helper runs at most once
 * per registry (failures are not remembered).
 */
export function dockerConfigCredentials(
  opts: DockerConfigCredentialsOptions = {},
): CredentialStore {
  const env = opts.env ?? process.env;
  const path = opts.path ?? defaultDockerConfigPath(env);
  const timeoutMs = opts.helperTimeoutMs ?? defaultHelperTimeoutMs;
  let config: Promise<DockerConfig | undefined> | undefined;
  const answers = new Map<string, Promise<Credential | undefined>>();

  async function lookup(registry: string): Promise<Credential | undefined> {
    config ??= readDockerConfig(path, opts.path !== undefined && opts.optional !== true);
    const loaded = await config;
    if (loaded === undefined) return undefined;
    const helper = helperFor(loaded, registry);
    if (helper === undefined) return findForRegistry(loaded.auths, registry);
    return runCredentialHelper({
      helper,
      serverUrl: registryKey(registry),
      registry,
      configPath: path,
      env,
      timeoutMs,
    });
  }

  return {
    get(registry: string): Promise<Credential | undefined> {
      let answer = answers.get(registry);
      if (answer === undefined) {
        answer = lookup(registry);
        answers.set(registry, answer);
        answer.catch(() => answers.delete(registry));
      }
      return answer;
    },
  };
}
