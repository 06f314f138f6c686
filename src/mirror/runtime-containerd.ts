/**
 * containerd 1.x and 2.x: one hosts.toml (and ca.crt) per mirrored registry
 * under `/etc/containerd/certs.d` (docs/hosts.md), and a config.toml
 * fragment that points the CRI plugin there: config version 2
 * `[plugins."io.containerd.grpc.v1.cri".registry] config_path` for 1.x,
 * version 3 `[plugins."io.containerd.cri.v1.images".registry] config_path`
 * for 2.x (docs/cri/config.md). The fragment can be listed in config.toml's
 * `imports` or merged into it. Credentials, only when given, go into the
 * fragment's `registry.configs."MIRROR".auth` (read together with
 * config_path), which makes it a 0600 file. Pure.
 */
import { posix } from 'node:path';
import { renderHostsToml } from './render-hosts-toml.js';
import { tomlAssign, tomlComment, tomlTableHeader } from './toml-write.js';
import {
  nodePath,
  treeFile,
  type RuntimeInput,
  type RuntimeRendering,
  type TreeFile,
} from './runtime-tree.js';

export const containerdCertsDir = 'etc/containerd/certs.d';
export const containerdFragment = 'etc/containerd/conf.d/bmpack-mirror.toml';

/** The CRI registry table of each config version. */
export const criRegistryTablePath = {
  2: ['plugins', 'io.containerd.grpc.v1.cri', 'registry'],
  3: ['plugins', 'io.containerd.cri.v1.images', 'registry'],
} as const;

export function renderContainerdTree(input: RuntimeInput, version: 2 | 3): RuntimeRendering {
  const certsDir = nodePath(input, containerdCertsDir);
  const files: TreeFile[] = [];
  for (const host of input.hosts) {
    const dir = posix.join(containerdCertsDir, host);
    if (input.ca !== undefined) files.push(treeFile(posix.join(dir, 'ca.crt'), input.ca));
    files.push(
      treeFile(
        posix.join(dir, 'hosts.toml'),
        renderHostsToml({
          upstream: host,
          target: input.target,
          ...(input.ca !== undefined ? { ca: posix.join(certsDir, host, 'ca.crt') } : {}),
          ...(input.skipVerify ? { skipVerify: true } : {}),
        }),
      ),
    );
  }
  const fragment = renderFragment(input, version, certsDir);
  files.push(treeFile(containerdFragment, fragment.text, fragment.secret));
  const name = version === 2 ? 'containerd 1.6 / 1.7' : 'containerd 2.x';
  const fragmentPath = nodePath(input, containerdFragment);
  return {
    runtime: version === 2 ? 'containerd' : 'containerd2',
    files,
    steps: [
      `Copy the tree onto every node at ${input.nodeRoot} (${name}).`,
      `Add "${fragmentPath}" to imports in /etc/containerd/config.toml (a version ${version} file), or merge its tables there; remove any registry.mirrors and registry.configs.*.tls from config.toml first.`,
      'Restart containerd once (systemctl restart containerd); later edits of hosts.toml apply on the next pull.',
      `Try: crictl pull <image> (kubelet's path), or ctr images pull with the hosts folder ${certsDir}.`,
    ],
    notes: [],
  };
}

function renderFragment(
  input: RuntimeInput,
  version: 2 | 3,
  certsDir: string,
): { text: string; secret: boolean } {
  const registry = criRegistryTablePath[version];
  const lines = [
    ...tomlComment(
      [
        `Written by bmpack mirror config: the CRI plugin reads the hosts.toml files under ${certsDir}.`,
        `List this file in imports of /etc/containerd/config.toml (version = ${version}) or merge it there, then restart containerd.`,
      ].join('\n'),
    ),
    tomlAssign('version', version),
    '',
    tomlTableHeader([...registry]),
    `  ${tomlAssign('config_path', certsDir)}`,
  ];
  const c = input.credential;
  if (c === undefined) return { text: `${lines.join('\n')}\n`, secret: false };
  lines.push('', tomlTableHeader([...registry, 'configs', input.target.registry, 'auth']));
  if (c.username !== undefined && c.password !== undefined) {
    lines.push(`  ${tomlAssign('username', c.username)}`);
    lines.push(`  ${tomlAssign('password', c.password)}`);
  }
  if (c.identityToken !== undefined)
    lines.push(`  ${tomlAssign('identitytoken', c.identityToken)}`);
  return { text: `${lines.join('\n')}\n`, secret: true };
}
