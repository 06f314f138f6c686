/**
 * The old CRI form of a mirror, for /etc/containerd/config.toml (version 2):
 * `registry.mirrors."<host>".endpoint` and `registry.configs."<mirror>".tls`
 * (docs/cri/registry.md; protocols.md §3a). The endpoint keeps the
 * namespace path, which containerd uses verbatim. Pure.
 */
import type { MirrorTarget } from './mirror-target.js';
import { tomlAssign, tomlComment, tomlTableHeader } from './toml-write.js';

/** The CRI plugin's registry table in a version 2 config.toml. */
export const criRegistryPath = ['plugins', 'io.containerd.grpc.v1.cri', 'registry'] as const;

export interface ConfigTomlAuth {
  /** base64 of `user:password`, as in a Docker config's `auth`. */
  readonly auth?: string;
  readonly identitytoken?: string;
}

export interface ConfigTomlOptions {
  readonly hosts: readonly string[];
  readonly target: MirrorTarget;
  /** `ca_file`: the CA's path on the node. */
  readonly caFile?: string;
  readonly skipVerify?: boolean;
  readonly auth?: ConfigTomlAuth;
}

/** The warnings this form needs, for the file's comments and for stderr. */
export const configTomlCaveats = [
  'The registry.mirrors / registry.configs form is deprecated since containerd 1.5. containerd 2.x no longer reads registry.configs.*.tls (ca_file, insecure_skip_verify): there, use the hosts-toml format.',
  'The registry.mirrors form cannot be combined with config_path: containerd 1.6 and 1.7 refuse to start the CRI plugin when registry.config_path is set together with registry.mirrors or registry.configs.*.tls.',
];

export function renderConfigToml(o: ConfigTomlOptions): string {
  const { target } = o;
  const lines = [
    ...tomlComment(
      [
        'Written by bmpack mirror config: containerd CRI registry mirrors for /etc/containerd/config.toml',
        '(a "version = 2" config; containerd 1.6 / 1.7). Merge these tables into it and restart containerd.',
        `An image missing from ${target.registry} is still tried at its public registry (containerd adds it last).`,
        ...configTomlCaveats.map((c) => `WARNING: ${c}`),
      ].join('\n'),
    ),
  ];
  for (const host of o.hosts) {
    lines.push('', tomlTableHeader([...criRegistryPath, 'mirrors', host]));
    lines.push(`  ${tomlAssign('endpoint', [target.endpoint])}`);
  }
  // configs are keyed by the endpoint's host[:port] (the mirror), not the upstream.
  if (o.caFile !== undefined || o.skipVerify === true) {
    lines.push('', tomlTableHeader([...criRegistryPath, 'configs', target.registry, 'tls']));
    if (o.caFile !== undefined) lines.push(`  ${tomlAssign('ca_file', o.caFile)}`);
    if (o.skipVerify === true) lines.push(`  ${tomlAssign('insecure_skip_verify', true)}`);
  }
  if (o.auth?.auth !== undefined || o.auth?.identitytoken !== undefined) {
    lines.push('', tomlTableHeader([...criRegistryPath, 'configs', target.registry, 'auth']));
    if (o.auth.auth !== undefined) lines.push(`  ${tomlAssign('auth', o.auth.auth)}`);
    if (o.auth.identitytoken !== undefined)
      lines.push(`  ${tomlAssign('identitytoken', o.auth.identitytoken)}`);
  }
  return `${lines.join('\n')}\n`;
}
