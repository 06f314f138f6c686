/**
 * Several sources in order of preference (e.g. flags, then docker config).
 */
import type { Credential, CredentialStore } from './credential.js';

/**
 * The first store with credentials for a registry wins. A store that fails
 * stops the chain: silently falling through would turn a broken helper into
 * a confusing 401 from the registry.
 */
export function chainCredentials(...stores: CredentialStore[]): CredentialStore {
  return {
    async get(registry: string): Promise<Credential | undefined> {
      for (const store of stores) {
        const credential = await store.get(registry);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}
