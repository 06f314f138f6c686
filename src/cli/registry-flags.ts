/**
 * The connection flags of every command that talks to registries (bundle
 * create, push images, image copy, image inspect, mirror check), with the
 * names skopeo, crane and bmctl users know. Each TLS flag names a registry
 * (`HOST=FILE`, `--plain-http HOST`) or, without one, every registry the
 * command talks to; the one for a host wins over the general one.
 */
import { Flags } from '@oclif/core';

export const registryFlags = {
  cacert: Flags.string({
    description:
      'PEM file of a CA to trust: FILE for every registry, or HOST[:PORT]=FILE for one (repeatable).',
    helpValue: '[HOST=]FILE',
    multiple: true,
    // One value per flag: the next word may be an argument (an image reference).
    multipleNonGreedy: true,
    helpGroup: 'REGISTRY',
  }),
  'plain-http': Flags.string({
    description:
      'Talk plain HTTP (no TLS) to HOST[:PORT], or, with no host, to every registry (repeatable).',
    helpValue: '[HOST]',
    multiple: true,
    // One value per flag: the next word may be an argument (an image reference).
    multipleNonGreedy: true,
    helpGroup: 'REGISTRY',
  }),
  'insecure-skip-tls-verify': Flags.string({
    description:
      'Do not verify the certificate of HOST[:PORT], or, with no host, of any registry (not recommended; prefer --cacert).',
    helpValue: '[HOST]',
    multiple: true,
    // One value per flag: the next word may be an argument (an image reference).
    multipleNonGreedy: true,
    helpGroup: 'REGISTRY',
  }),
  username: Flags.string({
    description:
      'User name for the registry written to (or read, when only one is): USER, or HOST[:PORT]=USER to name the registry.',
    helpValue: '[HOST=]USER',
    helpGroup: 'REGISTRY',
    env: 'BMPACK_USERNAME',
  }),
  password: Flags.string({
    description:
      'Password for --username (visible to other users of this machine; prefer --password-stdin).',
    helpGroup: 'REGISTRY',
    exclusive: ['password-stdin'],
  }),
  'password-stdin': Flags.boolean({
    description: 'Read the password for --username from standard input.',
    helpGroup: 'REGISTRY',
  }),
  authfile: Flags.string({
    description:
      'Registry logins in containers-auth.json form (podman login, skopeo login), looked in first. Default: $REGISTRY_AUTH_FILE, then ${XDG_RUNTIME_DIR}/containers/auth.json and ~/.config/containers/auth.json.',
    helpGroup: 'REGISTRY',
  }),
  'docker-config': Flags.string({
    description:
      'Docker config file (config.json) with registry logins, looked in after --authfile. Default: $DOCKER_CONFIG/config.json or ~/.docker/config.json, after the auth.json files.',
    helpGroup: 'REGISTRY',
  }),
};

/** The flags whose value is optional: `--plain-http` alone means every registry. */
export const hostListFlags = ['plain-http', 'insecure-skip-tls-verify'] as const;

export interface RegistryFlagValues {
  readonly cacert?: readonly string[] | undefined;
  readonly 'plain-http'?: readonly string[] | undefined;
  readonly 'insecure-skip-tls-verify'?: readonly string[] | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly 'password-stdin'?: boolean | undefined;
  readonly authfile?: string | undefined;
  readonly 'docker-config'?: string | undefined;
}
