/**
 * `bmpack mirror config`: containerd (or bmctl) configuration that makes
 * nodes pull from the private registry that `push images` filled, in one
 * of three forms — hosts.toml files for config_path (the default), the old
 * CRI `registry.mirrors` tables for config.toml, or bmctl's
 * `registryMirrors`.
 */
import { posix, resolve } from 'node:path';
import { BmpackError } from '../errors.js';
import { dockerConfigCredentials } from '../registry/auth/credentials/index.js';
import { withBundle } from './bundle-images.js';
import { hostsFromFlag, hostsFromImageNames, mirroredHosts } from './mirrored-hosts.js';
import { alwaysMirrored, hostDirName, mirrorTarget, type MirrorTarget } from './mirror-target.js';
import { renderBmctl } from './render-bmctl.js';
import { configTomlCaveats, renderConfigToml, type ConfigTomlAuth } from './render-config-toml.js';
import { renderHostsToml } from './render-hosts-toml.js';
import { readLocalFile, writeFileAtomic } from '../fs/write-atomic.js';

export const mirrorConfigFormats = ['hosts-toml', 'config-toml', 'bmctl'] as const;
export type MirrorConfigFormat = (typeof mirrorConfigFormats)[number];

/** Where containerd's hosts folders live by convention (config_path). */
export const defaultInstallDir = '/etc/containerd/certs.d';
/** Where hosts-toml output goes without --output. */
export const defaultHostsOutput = 'certs.d';

export interface MirrorConfigOptions {
  /** `HOST[:PORT][/NAMESPACE]`, as given to push. */
  readonly privateRegistry: string;
  /** --hosts values (comma-separated lists allowed). */
  readonly hosts?: readonly string[];
  /** A bundle whose images' registries are the hosts. */
  readonly source?: string;
  /** The registry's CA on this machine. */
  readonly caCert?: string;
  /** A Docker config file with the registry's credentials. */
  readonly pullCredentialConfig?: string;
  readonly plainHttp?: boolean;
  readonly skipVerify?: boolean;
  readonly format?: MirrorConfigFormat;
  /** hosts-toml: the folder to write (default ./certs.d); others: a file (default: returned as content). */
  readonly output?: string;
  /** The folder the hosts folders are copied to on nodes (config_path). Default /etc/containerd/certs.d. */
  readonly installDir?: string;
  /** bmctl: also a user cluster's spec.nodeConfig.registryMirrors. */
  readonly clusterName?: string;
  readonly secretNamespace?: string;
}

export interface MirrorConfigResult {
  readonly format: MirrorConfigFormat;
  readonly endpoint: string;
  readonly hosts: readonly string[];
  /** Absolute paths of the files written. */
  readonly files: readonly string[];
  /** The document, when it was not written to a file. */
  readonly content?: string;
  /** What to do next, for people. */
  readonly guide: readonly string[];
  readonly warnings: readonly string[];
}

export async function mirrorConfig(o: MirrorConfigOptions): Promise<MirrorConfigResult> {
  const format = o.format ?? 'hosts-toml';
  validate(o, format);
  const target = mirrorTarget(o.privateRegistry, o.plainHttp === true);
  const installDir = o.installDir ?? defaultInstallDir;
  const warnings: string[] = [];
  const listed = await listedHosts(o);
  if (listed.length === 0)
    warnings.push(
      `only ${alwaysMirrored} is mirrored: name registries with --hosts, or --source a bundle`,
    );
  const { hosts, skipped } = mirroredHosts(listed, target.registry);
  for (const h of skipped)
    warnings.push(`${h} is the mirror itself; it gets no mirror configuration`);
  const ca = o.caCert !== undefined ? await readCa(o.caCert) : undefined;
  const ctx: Context = { o, target, hosts, installDir, ca, warnings };
  if (format === 'hosts-toml') return writeHostsDirs(ctx);
  if (format === 'config-toml') return writeConfigToml(ctx);
  return writeBmctl(ctx);
}

interface Context {
  readonly o: MirrorConfigOptions;
  readonly target: MirrorTarget;
  readonly hosts: readonly string[];
  readonly installDir: string;
  readonly ca: Buffer | undefined;
  readonly warnings: string[];
}

function usage(message: string, hint: string): BmpackError {
  return new BmpackError('E_USAGE', message, { hint });
}

function validate(o: MirrorConfigOptions, format: MirrorConfigFormat): void {
  if (!(mirrorConfigFormats as readonly string[]).includes(format))
    throw usage(`unknown format ${format}`, `Use one of ${mirrorConfigFormats.join(', ')}.`);
  if (o.hosts !== undefined && o.source !== undefined)
    throw usage('--hosts and --source both name the mirrored registries', 'Give one of them.');
  if (o.plainHttp === true && (o.caCert !== undefined || o.skipVerify === true))
    throw usage(
      '--plain-http talks no TLS, so --cacert and --insecure-skip-tls-verify mean nothing with it',
      'Drop --plain-http for a TLS registry, or the TLS flags for a plain HTTP one.',
    );
  if (o.installDir !== undefined && !posix.isAbsolute(o.installDir))
    throw usage(
      `--install-dir ${o.installDir} is not an absolute path`,
      'It is the folder on the nodes that config_path names, e.g. /etc/containerd/certs.d.',
    );
  if ((o.clusterName !== undefined || o.secretNamespace !== undefined) && format !== 'bmctl')
    throw usage(
      '--cluster-name and --secret-namespace belong to --format bmctl',
      'Add --format bmctl.',
    );
  if (o.clusterName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.clusterName))
    throw usage(
      `--cluster-name ${o.clusterName} is not a Kubernetes name`,
      'Use lowercase letters, digits and "-".',
    );
  if (o.secretNamespace !== undefined && o.clusterName === undefined)
    throw usage('--secret-namespace needs --cluster-name', 'Add --cluster-name USER_CLUSTER.');
}

async function listedHosts(o: MirrorConfigOptions): Promise<string[]> {
  if (o.hosts !== undefined) return hostsFromFlag(o.hosts);
  if (o.source === undefined) return [];
  return withBundle(o.source, (source, fallback) =>
    Promise.resolve(
      hostsFromImageNames(
        source.images.map((i) => i.name),
        fallback,
      ),
    ),
  );
}

async function readCa(path: string): Promise<Buffer> {
  const pem = await readLocalFile(path, 'read the CA file');
  if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new BmpackError('E_CONFIG_INVALID', `${path} holds no PEM certificate`, {
      hint: 'Give --cacert the PEM file of the CA that signed the registry certificate (BEGIN CERTIFICATE).',
    });
  }
  return pem;
}

async function writeHostsDirs(ctx: Context): Promise<MirrorConfigResult> {
  const { o, target, hosts, installDir, ca, warnings } = ctx;
  const outDir = resolve(o.output ?? defaultHostsOutput);
  if (o.pullCredentialConfig !== undefined)
    warnings.push(
      `hosts.toml has no place for credentials, so ${o.pullCredentialConfig} is not used: give nodes the registry login through Kubernetes imagePullSecrets, or through [plugins."io.containerd.grpc.v1.cri".registry.configs."${target.registry}".auth] in config.toml (that table works together with config_path; --format config-toml --pull-credential-config writes it)`,
    );
  const files: string[] = [];
  for (const host of hosts) {
    const dir = resolve(outDir, hostDirName(host));
    const caPath =
      ca !== undefined ? posix.join(installDir, hostDirName(host), 'ca.crt') : undefined;
    if (ca !== undefined) {
      await writeFileAtomic(resolve(dir, 'ca.crt'), ca);
      files.push(resolve(dir, 'ca.crt'));
    }
    const toml = renderHostsToml({
      upstream: host,
      target,
      ...(caPath !== undefined ? { ca: caPath } : {}),
      ...(o.skipVerify === true ? { skipVerify: true } : {}),
    });
    await writeFileAtomic(resolve(dir, 'hosts.toml'), toml);
    files.push(resolve(dir, 'hosts.toml'));
  }
  const guide = [
    `wrote ${hosts.length} hosts.toml files under ${outDir}: ${hosts.join(', ')}`,
    `mirror: ${target.endpoint}${target.namespace !== '' ? ' (override_path = true)' : ''}`,
    'On every node:',
    `  1. copy the folders: mkdir -p ${installDir} && cp -r ${outDir}/. ${installDir}/`,
    ...(ca !== undefined
      ? [`     (each hosts.toml names its CA as ${installDir}/<host>/ca.crt)`]
      : []),
    '  2. once, set config_path in /etc/containerd/config.toml and restart containerd:',
    `       containerd 1.6/1.7 (version = 2): [plugins."io.containerd.grpc.v1.cri".registry] config_path = "${installDir}"`,
    `       containerd 2.x (version = 3):     [plugins."io.containerd.cri.v1.images".registry] config_path = "${installDir}"`,
    '     and remove registry.mirrors and registry.configs.*.tls there (1.6/1.7 refuse them together with config_path).',
    '  3. later edits of hosts.toml files apply on the next pull: no restart needed.',
    `Try a pull: ctr images pull --hosts-dir ${installDir} <image>   (ctr reads --hosts-dir, never config.toml)`,
    `Check:      bmpack mirror check --source <bundle> --private-registry ${o.privateRegistry} --config ${installDir}`,
  ];
  return { format: 'hosts-toml', endpoint: target.endpoint, hosts, files, guide, warnings };
}

async function pullAuth(ctx: Context): Promise<ConfigTomlAuth | undefined> {
  const path = ctx.o.pullCredentialConfig;
  if (path === undefined) return undefined;
  if (ctx.o.output === undefined) {
    throw usage(
      '--pull-credential-config puts the registry password into the config: bmpack will not print it',
      'Add --output FILE (written with mode 0600).',
    );
  }
  const registry = ctx.target.registry;
  const cred = await dockerConfigCredentials({ path: resolve(path) }).get(registry);
  if (cred === undefined) {
    throw new BmpackError('E_NOT_FOUND', `${path} has no credentials for ${registry}`, {
      hint: `Log in first (docker login ${registry} or skopeo login --authfile ${path} ${registry}), or drop --pull-credential-config.`,
    });
  }
  if (cred.identityToken !== undefined) return { identitytoken: cred.identityToken };
  if (cred.username !== undefined && cred.password !== undefined)
    return { auth: Buffer.from(`${cred.username}:${cred.password}`).toString('base64') };
  throw new BmpackError(
    'E_CONFIG_INVALID',
    `the credentials for ${registry} in ${path} are a registry token, which containerd's config cannot hold`,
    { hint: 'Use a Docker config entry with a user name and password.' },
  );
}

async function writeConfigToml(ctx: Context): Promise<MirrorConfigResult> {
  const { o, target, hosts, installDir, ca, warnings } = ctx;
  const caFile = ca !== undefined ? posix.join(installDir, target.registry, 'ca.crt') : undefined;
  const auth = await pullAuth(ctx);
  const content = renderConfigToml({
    hosts,
    target,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(o.skipVerify === true ? { skipVerify: true } : {}),
    ...(auth !== undefined ? { auth } : {}),
  });
  warnings.push(...configTomlCaveats);
  const guide = [
    'On every node: merge the tables into /etc/containerd/config.toml (version = 2) and restart containerd.',
    ...(caFile !== undefined && o.caCert !== undefined
      ? [`Copy the CA to every node: mkdir -p ${posix.dirname(caFile)} && cp ${o.caCert} ${caFile}`]
      : []),
    'ctr does not read this section; check with crictl pull, or bmpack mirror check --config /etc/containerd/config.toml.',
  ];
  return finish(ctx, 'config-toml', content, guide, auth !== undefined ? 0o600 : 0o644);
}

async function writeBmctl(ctx: Context): Promise<MirrorConfigResult> {
  const { o, target, hosts, warnings } = ctx;
  if (o.skipVerify === true)
    warnings.push(
      'bmctl registryMirrors has no skip-verify setting; give the CA with --cacert instead',
    );
  const content = renderBmctl({
    target,
    hosts,
    ...(o.caCert !== undefined ? { caCertPath: resolve(o.caCert) } : {}),
    ...(o.pullCredentialConfig !== undefined
      ? { pullCredentialConfigPath: resolve(o.pullCredentialConfig) }
      : {}),
    ...(o.clusterName !== undefined ? { clusterName: o.clusterName } : {}),
    ...(o.secretNamespace !== undefined ? { secretNamespace: o.secretNamespace } : {}),
  });
  const guide = [
    'Put registryMirrors in the header of the cluster config file, then run bmctl create cluster or bmctl update cluster.',
  ];
  return finish(ctx, 'bmctl', content, guide, 0o644);
}

async function finish(
  ctx: Context,
  format: MirrorConfigFormat,
  content: string,
  guide: string[],
  mode: number,
): Promise<MirrorConfigResult> {
  const base = { format, endpoint: ctx.target.endpoint, hosts: ctx.hosts, warnings: ctx.warnings };
  if (ctx.o.output === undefined) return { ...base, files: [], content, guide };
  const file = resolve(ctx.o.output);
  await writeFileAtomic(file, content, mode);
  return { ...base, files: [file], guide: [`wrote ${file}`, ...guide] };
}
