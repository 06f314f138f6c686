/**
 * What a registry login is made of, and where it comes from. The shapes
 * follow docker/cli's `types.AuthConfig` (protocols.md §2.6).
 */
import { registerSecret } from '../../../redact.js';

/** Credentials for one registry. Every secret field has been registered for redaction. */
export interface Credential {
  readonly username?: string;
  /** Password for Basic auth or for the token endpoint's Basic login. */
  readonly password?: string;
  /** OAuth2 refresh token (`identitytoken`): exchanged with `grant_type=refresh_token`. */
  readonly identityToken?: string;
  /** Bearer token (`registrytoken`) sent to the registry as-is. */
  readonly registryToken?: string;
}

/** A source of credentials, keyed by registry as in `ImageReference.registry`. */
export interface CredentialStore {
  /** Credentials for `registry` (e.g. `docker.io`, `127.0.0.1:5000`), or undefined for anonymous access. */
  get(registry: string): Promise<Credential | undefined>;
}

/**
 * A frozen credential with only the fields that are set, or undefined when
 * none is (an empty `auths` entry means anonymous, as in docker/cli).
 * Registers every secret so that no later message can leak it.
 */
export function makeCredential(fields: {
  username?: string | undefined;
  password?: string | undefined;
  identityToken?: string | undefined;
  registryToken?: string | undefined;
}): Credential | undefined {
  const { username, password, identityToken, registryToken } = fields;
  registerSecret(password);
  registerSecret(identityToken);
  registerSecret(registryToken);
  const credential: Credential = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(identityToken ? { identityToken } : {}),
    ...(registryToken ? { registryToken } : {}),
  };
  return Object.keys(credential).length === 0 ? undefined : Object.freeze(credential);
}
