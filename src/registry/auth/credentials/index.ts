/**
 * Credentials for registry hosts: docker's config.json and credential
 * helpers, fixed tables, and chains of both (protocols.md §2.6). Every
 * secret loaded here is registered with redact.ts before it is returned.
 */
export type { Credential, CredentialStore } from './credential.js';
export { staticCredentials } from './static-credentials.js';
export { chainCredentials } from './chain-credentials.js';
export { dockerConfigCredentials } from './docker-config-credentials.js';
export type { DockerConfigCredentialsOptions } from './docker-config-credentials.js';
export { defaultDockerConfigPath } from './docker-config-file.js';
export { dockerHubAuthKey, registryKey } from './registry-key.js';
export { storedCredentialFiles, storedCredentials } from './stored-credentials.js';
export type { StoredCredentialsOptions } from './stored-credentials.js';
