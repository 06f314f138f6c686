/**
 * Credentials given in code or from flags, keyed like docker config `auths`:
 * by registry (`reg:5000`), URL (`https://reg:5000/v1/`), or for Docker Hub
 * any of its names.
 */
import { makeCredential } from './credential.js';
import type { Credential, CredentialStore } from './credential.js';
import { findForRegistry } from './registry-key.js';

/** A store over a fixed map; secrets are registered for redaction at once. */
export function staticCredentials(entries: Readonly<Record<string, Credential>>): CredentialStore {
  const table = Object.entries(entries).map(
    ([key, credential]) => [key, makeCredential(credential)] as const,
  );
  return {
    get(registry: string): Promise<Credential | undefined> {
      return Promise.resolve(findForRegistry(table, registry));
    },
  };
}
