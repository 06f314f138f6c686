/**
 * CRI-O and podman read containers/image's registries.conf, version 2
 * (containers-registries.conf(5)): one `[[registry]]` per mirrored
 * registry, chosen by `prefix`, whose `location` stays the upstream (the
 * fallback) and whose `[[registry.mirror]]` `location` is the mirror with
 * its namespace: the prefix of the image name is replaced by it, so
 * `docker.io/library/nginx` is asked as `HOST:PORT/NAMESPACE/library/nginx`,
 * the path push wrote. `insecure = true` allows plain HTTP or unverified
 * TLS. The file is a drop-in for `/etc/containers/registries.conf.d/` (a
 * complete registries.conf v2 on its own). The CA goes to
 * `/etc/containers/certs.d/HOST:PORT/ca.crt` (containers-certs.d(5)).
 * Credentials, only when given, go to an auth.json (containers-auth.json(5),
 * mode 0600): CRI-O reads it through `global_auth_file` in a crio.conf.d
 * drop-in; podman through its auth-file setting or REGISTRY_AUTH_FILE. Pure.
 */
import { posix } from 'node:path';
import { tomlAssign, tomlComment } from './toml-write.js';
import {
  basicAuth,
  mirrorLocation,
  nodePath,
  treeFile,
  type RuntimeInput,
  type RuntimeRendering,
  type TreeFile,
} from './runtime-tree.js';

export const registriesConfDropIn = 'etc/containers/registries.conf.d/50-bmpack-mirror.conf';
export const containersCertsDir = 'etc/containers/certs.d';
export const containersAuthFile = 'etc/containers/bmpack-mirror-auth.json';
export const crioAuthDropIn = 'etc/crio/crio.conf.d/50-bmpack-mirror-auth.conf';

export function renderRegistriesConf(input: RuntimeInput): string {
  const { target } = input;
  const insecure = target.scheme === 'http' || input.skipVerify;
  const lines = [
    ...tomlComment(
      [
        'Written by bmpack mirror config: containers-registries.conf(5) version 2, for CRI-O and podman.',
        `Images of these registries are pulled from ${mirrorLocation(target)} first, then from the registry itself.`,
      ].join('\n'),
    ),
  ];
  for (const host of input.hosts) {
    lines.push('', '[[registry]]', tomlAssign('prefix', host), tomlAssign('location', host));
    lines.push('', '[[registry.mirror]]', tomlAssign('location', mirrorLocation(target)));
    if (insecure) lines.push(tomlAssign('insecure', true));
  }
  // A repository push moved (--rewrite, --max-nested-paths): the longest prefix wins, so its
  // own entry sends it to where push put it (containers-registries.conf(5), "prefix").
  for (const m of (input.moved ?? []).filter((r) => r.moved)) {
    lines.push(
      '',
      '[[registry]]',
      tomlAssign('prefix', m.source),
      tomlAssign('location', m.source),
    );
    lines.push('', '[[registry.mirror]]', tomlAssign('location', m.mirror));
    if (insecure) lines.push(tomlAssign('insecure', true));
  }
  return `${lines.join('\n')}\n`;
}

/** containers-auth.json(5): `{"auths": {"HOST:PORT": {"auth": "…"}}}`. */
export function renderAuthJson(input: RuntimeInput): string | undefined {
  const c = input.credential;
  if (c === undefined) return undefined;
  const auth = basicAuth(c);
  const entry = {
    ...(auth !== undefined ? { auth } : {}),
    ...(c.identityToken !== undefined ? { identitytoken: c.identityToken } : {}),
  };
  return `${JSON.stringify({ auths: { [input.target.registry]: entry } }, null, 2)}\n`;
}

export function renderContainersTree(
  input: RuntimeInput,
  runtime: 'crio' | 'podman',
): RuntimeRendering {
  const files: TreeFile[] = [treeFile(registriesConfDropIn, renderRegistriesConf(input))];
  if (input.ca !== undefined && input.target.scheme === 'https')
    files.push(treeFile(posix.join(containersCertsDir, input.target.registry, 'ca.crt'), input.ca));
  const authJson = renderAuthJson(input);
  const authPath = nodePath(input, containersAuthFile);
  if (authJson !== undefined) {
    files.push(treeFile(containersAuthFile, authJson, true));
    if (runtime === 'crio')
      files.push(
        treeFile(
          crioAuthDropIn,
          [
            ...tomlComment('Written by bmpack mirror config: the mirror credentials for CRI-O.'),
            '[crio.image]',
            tomlAssign('global_auth_file', authPath),
            '',
          ].join('\n'),
        ),
      );
  }
  const copy = `Copy the tree onto every node at ${input.nodeRoot}.`;
  const steps =
    runtime === 'crio'
      ? [
          copy,
          'Restart CRI-O (systemctl restart crio): it reads registries.conf.d and crio.conf.d at start.',
          'Try: crictl pull <image>.',
        ]
      : [
          copy,
          'podman reads registries.conf.d on every run: no restart.',
          ...(authJson !== undefined
            ? [`Give podman the credentials: REGISTRY_AUTH_FILE=${authPath} podman pull <image>.`]
            : []),
          'Try: podman pull <image>.',
        ];
  return { runtime, files, steps, notes: [] };
}
