/**
 * Flags shared by every command that talks to a registry, with the names
 * bmctl and skopeo users know: --cacert, --plain-http,
 * --insecure-skip-tls-verify, --username, --password(-stdin),
 * --docker-config.
 */
import { Flags } from '@oclif/core';

export const registryFlags = {
  cacert: Flags.file({
    description: 'PEM file of the CA that signed the registry certificate.',
    exists: true,
    helpGroup: 'REGISTRY',
  }),
  'plain-http': Flags.boolean({
    description: 'Talk plain HTTP to the registry (no TLS).',
    helpGroup: 'REGISTRY',
  }),
  'insecure-skip-tls-verify': Flags.boolean({
    description: 'Do not verify the registry certificate (not recommended; prefer --cacert).',
    helpGroup: 'REGISTRY',
  }),
  username: Flags.string({
    description: 'User name for the registry.',
    helpGroup: 'REGISTRY',
    env: 'BMPACK_USERNAME',
  }),
  password: Flags.string({
    description:
      'Password for the registry (visible to other users of this machine; prefer --password-stdin).',
    helpGroup: 'REGISTRY',
    exclusive: ['password-stdin'],
  }),
  'password-stdin': Flags.boolean({
    description: 'Read the registry password from standard input.',
    helpGroup: 'REGISTRY',
  }),
  'docker-config': Flags.string({
    description:
      'Docker config file (config.json) with registry credentials. Default: $DOCKER_CONFIG/config.json or ~/.docker/config.json.',
    helpGroup: 'REGISTRY',
  }),
};

export interface RegistryFlagValues {
  readonly cacert?: string | undefined;
  readonly 'plain-http'?: boolean | undefined;
  readonly 'insecure-skip-tls-verify'?: boolean | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly 'password-stdin'?: boolean | undefined;
  readonly 'docker-config'?: string | undefined;
}
