/**
 * k3s and RKE2 read `/etc/rancher/{k3s,rke2}/registries.yaml` ("Private
 * Registry Configuration" in their docs) and turn it into containerd
 * hosts.toml files. `mirrors.<registry>.endpoint` names the mirror by its
 * host only, and `rewrite` (`"^(.*)$": "NAMESPACE/$1"`) puts push's
 * namespace in front of every repository: the documented way to reach a
 * path under a mirror, and it applies to the mirror endpoints only, never to
 * the default endpoint (the upstream, always tried last). `configs.<mirror>`
 * holds `tls` (`ca_file`, `insecure_skip_verify`) and, only when given,
 * `auth` (then the file is 0600). Pure.
 */
import { posix } from 'node:path';
import { Document } from 'yaml';
import {
  nodePath,
  treeFile,
  type RuntimeInput,
  type RuntimeRendering,
  type TreeFile,
} from './runtime-tree.js';

export type RancherRuntime = 'k3s' | 'rke2';

export function registriesYamlPath(runtime: RancherRuntime): string {
  return `etc/rancher/${runtime}/registries.yaml`;
}

export function rancherCaPath(runtime: RancherRuntime): string {
  return `etc/rancher/${runtime}/bmpack-mirror-ca.crt`;
}

/** The rewrite that maps every repository under the namespace. */
export function namespaceRewrite(namespace: string): Record<string, string> {
  return { '^(.*)$': `${namespace}/$1` };
}

/**
 * Under a push path mapping: one anchored rewrite per repository of the
 * bundle on `host`, to where push put it. The rules match exclusive names,
 * so their order (a YAML map's) cannot matter; a repository outside the
 * bundle matches none and is asked at the mirror's root, then upstream.
 */
export function repositoryRewrites(
  repositories: NonNullable<RuntimeInput['moved']>,
  host: string,
  mirror: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of repositories) {
    if (!r.source.startsWith(`${host}/`)) continue;
    const path = r.source.slice(host.length + 1);
    out[`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`] = r.mirror.slice(mirror.length + 1);
  }
  return out;
}

/** How the header comment says where repositories are asked at the mirror. */
function rewriteWords(input: RuntimeInput): string {
  if (input.moved !== undefined)
    return ' (each repository of the bundle where push put it, by rewrite)';
  const ns = input.target.namespace;
  return ns !== '' ? ` (repositories under ${ns}/, by rewrite)` : '';
}

export function renderRegistriesYaml(input: RuntimeInput, runtime: RancherRuntime): string {
  const { target } = input;
  const endpoint = `${target.scheme}://${target.registry}`;
  const mirrors: Record<string, unknown> = {};
  for (const host of input.hosts) {
    const rewrite =
      input.moved !== undefined
        ? repositoryRewrites(input.moved, host, target.registry)
        : target.namespace !== ''
          ? namespaceRewrite(target.namespace)
          : undefined;
    mirrors[host] = { endpoint: [endpoint], ...(rewrite !== undefined ? { rewrite } : {}) };
  }
  const tls = {
    ...(input.ca !== undefined ? { ca_file: nodePath(input, rancherCaPath(runtime)) } : {}),
    ...(input.skipVerify ? { insecure_skip_verify: true } : {}),
  };
  const c = input.credential;
  const auth =
    c === undefined
      ? undefined
      : {
          ...(c.username !== undefined ? { username: c.username } : {}),
          ...(c.password !== undefined ? { password: c.password } : {}),
          ...(c.identityToken !== undefined ? { identity_token: c.identityToken } : {}),
        };
  const config = {
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    ...(auth !== undefined ? { auth } : {}),
  };
  const doc = new Document({
    mirrors,
    ...(Object.keys(config).length > 0 ? { configs: { [target.registry]: config } } : {}),
  });
  doc.commentBefore = [
    ` Written by bmpack mirror config for ${runtime}: /etc/rancher/${runtime}/registries.yaml.`,
    ` Images of these registries are pulled from ${endpoint}${rewriteWords(input)} first;`,
    ' the registry itself (the default endpoint) is always tried last.',
  ].join('\n');
  return doc.toString();
}

export function renderRancherTree(input: RuntimeInput, runtime: RancherRuntime): RuntimeRendering {
  const files: TreeFile[] = [
    treeFile(
      registriesYamlPath(runtime),
      renderRegistriesYaml(input, runtime),
      input.credential !== undefined,
    ),
  ];
  if (input.ca !== undefined) files.push(treeFile(rancherCaPath(runtime), input.ca));
  const service =
    runtime === 'k3s' ? 'k3s (k3s-agent on agents)' : 'rke2-server (rke2-agent on agents)';
  return {
    runtime,
    files,
    steps: [
      `Copy the tree onto every node, servers included, at ${input.nodeRoot}.`,
      `Restart ${service}: ${runtime} reads ${posix.join('/', registriesYamlPath(runtime))} at start and writes containerd's hosts.toml from it.`,
      `Try: ${runtime === 'k3s' ? 'k3s crictl' : 'crictl'} pull <image>.`,
    ],
    notes: [],
  };
}
