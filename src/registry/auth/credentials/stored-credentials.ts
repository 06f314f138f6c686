/**
 * Stored logins, looked up where skopeo and podman look
 * (containers-auth.json(5)): an explicit auth file (`REGISTRY_AUTH_FILE`,
 * or one the caller names) and an explicit Docker config first, then
 * `${XDG_RUNTIME_DIR}/containers/auth.json`,
 * `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`, and docker's
 * `config.json` (`$DOCKER_CONFIG`, else `~/.docker`). The first file with
 * an entry for the registry wins. An auth.json is read as a Docker config:
 * the format is the same (`auths`, `credHelpers`); a namespaced key
 * (`quay.io/org`) is matched by its host, as docker matches keys.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chainCredentials } from './chain-credentials.js';
import type { CredentialStore } from './credential.js';
import { dockerConfigCredentials } from './docker-config-credentials.js';
import { defaultDockerConfigPath } from './docker-config-file.js';

export interface StoredCredentialsOptions {
  /** An auth.json the user named: it must exist. */
  readonly authFile?: string;
  /** A Docker config.json the user named: it must exist. */
  readonly dockerConfig?: string;
  /** For REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, XDG_CONFIG_HOME, DOCKER_CONFIG, HOME. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The files looked in, in order, each with whether it must exist. */
export function storedCredentialFiles(
  o: StoredCredentialsOptions = {},
): Array<{ path: string; required: boolean }> {
  const env = o.env ?? process.env;
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  const home = set(env.HOME) ? env.HOME : homedir();
  const config = set(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  const authFile = o.authFile ?? (set(env.REGISTRY_AUTH_FILE) ? env.REGISTRY_AUTH_FILE : undefined);
  const files = [
    ...(authFile !== undefined ? [{ path: authFile, required: o.authFile !== undefined }] : []),
    ...(o.dockerConfig !== undefined ? [{ path: o.dockerConfig, required: true }] : []),
    ...(set(env.XDG_RUNTIME_DIR)
      ? [{ path: join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), required: false }]
      : []),
    { path: join(config, 'containers', 'auth.json'), required: false },
    { path: defaultDockerConfigPath(env), required: false },
  ];
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.path) && seen.add(f.path));
}

export function storedCredentials(o: StoredCredentialsOptions = {}): CredentialStore {
  const env = o.env ?? process.env;
  return chainCredentials(
    ...storedCredentialFiles(o).map((f) =>
      dockerConfigCredentials(
        f.required ? { path: f.path, env } : { path: f.path, env, optional: true },
      ),
    ),
  );
}
