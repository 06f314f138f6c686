/**
 * `mirror config`'s next steps and warnings in its flags' words, from what
 * the library returns: where the files are and what the nodes need of them.
 */
import { posix } from 'node:path';
import type {
  MirrorConfigResult,
  MirrorConfigWarning,
  MirrorInstall,
  MirrorRuntimeResult,
} from '../../mirror/index.js';
import { alwaysMirrored, criAuthTable } from '../../mirror/index.js';

type HostsInstall = Extract<MirrorInstall, { format: 'hosts-toml' }>;
type ConfigTomlInstall = Extract<MirrorInstall, { format: 'config-toml' }>;

/** What to do next, for people; `privateRegistry` as given to the command. */
export function mirrorConfigGuide(r: MirrorConfigResult, privateRegistry: string): string[] {
  const wrote =
    r.format !== 'hosts-toml' && r.files[0] !== undefined ? [`wrote ${r.files[0]}`] : [];
  const i = r.install;
  if (i.format === 'hosts-toml') return hostsGuide(r, i, privateRegistry);
  if (i.format === 'config-toml') return [...wrote, ...configTomlGuide(i)];
  return [
    ...wrote,
    'Put registryMirrors in the header of the cluster config file, then run bmctl create cluster or bmctl update cluster.',
  ];
}

function hostsGuide(r: MirrorConfigResult, i: HostsInstall, privateRegistry: string): string[] {
  const { outDir, installDir } = i;
  return [
    `wrote ${r.hosts.length} hosts.toml files under ${outDir}: ${r.hosts.join(', ')}`,
    `mirror: ${r.endpoint}${i.overridePath ? ' (override_path = true)' : ''}`,
    'On every node:',
    `  1. copy the folders: mkdir -p ${installDir} && cp -r ${outDir}/. ${installDir}/`,
    ...(i.withCa ? [`     (each hosts.toml names its CA as ${installDir}/<host>/ca.crt)`] : []),
    '  2. once, set config_path in /etc/containerd/config.toml and restart containerd:',
    `       containerd 1.6/1.7 (version = 2): [plugins."io.containerd.grpc.v1.cri".registry] config_path = "${installDir}"`,
    `       containerd 2.x (version = 3):     [plugins."io.containerd.cri.v1.images".registry] config_path = "${installDir}"`,
    '     and remove registry.mirrors and registry.configs.*.tls there (1.6/1.7 refuse them together with config_path).',
    '  3. later edits of hosts.toml files apply on the next pull: no restart needed.',
    `Try a pull: ctr images pull --hosts-dir ${installDir} <image>   (ctr reads --hosts-dir, never config.toml)`,
    `Check:      bmpack mirror check --source <bundle> --private-registry ${privateRegistry} --config ${installDir}`,
  ];
}

function configTomlGuide(i: ConfigTomlInstall): string[] {
  const copy = i.caCopy;
  return [
    'On every node: merge the tables into /etc/containerd/config.toml (version = 2) and restart containerd.',
    ...(copy !== undefined
      ? [
          `Copy the CA to every node: mkdir -p ${posix.dirname(copy.to)} && cp ${copy.from} ${copy.to}`,
        ]
      : []),
    'ctr does not read this section; check with crictl pull, or bmpack mirror check --config /etc/containerd/config.toml.',
  ];
}

/** The tree written for a runtime, and how to roll it out. */
export function runtimeGuide(r: MirrorRuntimeResult, privateRegistry: string): string[] {
  const secret = r.tree.filter((t) => t.secret).map((t) => t.path);
  const unpack = r.archive
    ? [`The copy, on a node: tar -xpf ${posix.basename(r.output)} -C ${r.nodeRoot}`]
    : [`The copy, on a node: cp -r ${r.output}/. ${r.nodeRoot}`];
  return [
    `wrote the ${r.runtime} tree for ${r.hosts.join(', ')} to ${r.output}${r.archive ? ' (tar)' : ''}:`,
    ...r.tree.map(
      (t) => `  ${t.path}${t.secret ? '   (mode 0600: holds the mirror credentials)' : ''}`,
    ),
    `mirror: ${r.endpoint}`,
    ...unpack,
    'Then:',
    ...r.steps.map((s, i) => `  ${i + 1}. ${s}`),
    ...(secret.length > 0 ? ['Keep the credential files out of version control and logs.'] : []),
    `Check: bmpack mirror check --source <bundle> --private-registry ${privateRegistry} --runtime ${r.runtime} --config ${r.archive ? '<unpacked tree or node root>' : r.output}`,
  ];
}

/** A warning in the command's words: those about what to pass name its flags. */
export function mirrorConfigWarning(
  w: MirrorConfigWarning | MirrorRuntimeResult['warnings'][number],
): string {
  switch (w.kind) {
    case 'only-always-mirrored':
      return `only ${alwaysMirrored} is mirrored: name registries with --hosts, or --source a bundle`;
    case 'credentials-unused':
      return `hosts.toml has no place for credentials, so ${w.file} is not used: give nodes the registry login through Kubernetes imagePullSecrets, or through ${criAuthTable(w.registry)} in config.toml (that table works together with config_path; --format config-toml --pull-credential-config writes it)`;
    case 'bmctl-no-skip-verify':
      return 'bmctl registryMirrors has no skip-verify setting; give the CA with --cacert instead';
    default:
      return w.message;
  }
}
