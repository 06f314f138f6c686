/**
 * `bmpack mirror config`: containerd (or bmctl) configuration that makes
 * nodes pull from the private registry that `push images` filled, in one
 * of three forms — hosts.toml files for config_path (the default), the old
 * CRI `registry.mirrors` tables for config.toml, or bmctl's
 * `registryMirrors`.
 */
import type { PathMapping } from '../push/repository-paths.js';
import { posix, resolve } from 'node:path';
import {
  bmctlSettings,
  readCa,
  refuseMovedPathsOf,
  readPullCredential,
  registryTokenOnly,
  resolveHosts,
  usage,
  validateSources,
} from './mirror-inputs.js';
import { hostDirName, mirrorTarget, type MirrorTarget } from './mirror-target.js';
import { renderBmctl } from './render-bmctl.js';
import { configTomlCaveats, renderConfigToml, type ConfigTomlAuth } from './render-config-toml.js';
import { renderHostsToml } from './render-hosts-toml.js';
import { basicAuth } from './runtime-tree.js';
import { writeFileAtomic } from '../fs/write-atomic.js';

export const mirrorConfigFormats = ['hosts-toml', 'config-toml', 'bmctl'] as const;
export type MirrorConfigFormat = (typeof mirrorConfigFormats)[number];

/** Where containerd's hosts folders live by convention (config_path). */
export const defaultInstallDir = '/etc/containerd/certs.d';
/** Where hosts-toml output goes when no output folder is given. */
export const defaultHostsOutput = 'certs.d';

export interface MirrorConfigOptions {
  /** `HOST[:PORT][/NAMESPACE]`, as given to push. */
  readonly privateRegistry: string;
  /** Registry hosts to mirror (comma-separated lists allowed). */
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
  /** The path mapping the push used: refused unless it moves no image. */
  readonly paths?: PathMapping;
}

/**
 * What the nodes need of the written configuration: the caller words the
 * next steps from it.
 */
export type MirrorInstall =
  | {
      readonly format: 'hosts-toml';
      /** The folder written here: one folder per mirrored host. */
      readonly outDir: string;
      /** Where it goes on the nodes (config_path). */
      readonly installDir: string;
      /** Each hosts.toml names its CA as `installDir/<host>/ca.crt`. */
      readonly withCa: boolean;
      /** The mirror has a namespace, so the hosts.toml files set override_path. */
      readonly overridePath: boolean;
    }
  | {
      readonly format: 'config-toml';
      /** The CA to copy to every node: from this machine, to the path ca_file names. */
      readonly caCopy?: { readonly from: string; readonly to: string };
    }
  | { readonly format: 'bmctl' };

/** A warning, with its kind so that a CLI can word it with its own flags. */
export type MirrorConfigWarning =
  | {
      readonly kind: 'only-always-mirrored' | 'mirror-itself' | 'caveat' | 'bmctl-no-skip-verify';
      /** In the library's words (no CLI flag). */
      readonly message: string;
    }
  | {
      /** hosts.toml has no place for the credentials of `file`. */
      readonly kind: 'credentials-unused';
      readonly message: string;
      readonly file: string;
      readonly registry: string;
    };

export interface MirrorConfigResult {
  readonly format: MirrorConfigFormat;
  readonly endpoint: string;
  readonly hosts: readonly string[];
  /** Absolute paths of the files written. */
  readonly files: readonly string[];
  /** The document, when it was not written to a file. */
  readonly content?: string;
  readonly install: MirrorInstall;
  readonly warnings: readonly MirrorConfigWarning[];
}

export async function mirrorConfig(o: MirrorConfigOptions): Promise<MirrorConfigResult> {
  const format = o.format ?? 'hosts-toml';
  validate(o, format);
  const target = mirrorTarget(o.privateRegistry, o.plainHttp === true);
  await refuseMovedPathsOf(o, target, format === 'bmctl' ? 'bmctl' : 'containerd');
  const installDir = o.installDir ?? defaultInstallDir;
  const resolved = await resolveHosts(o, target);
  const { hosts } = resolved;
  const warnings: MirrorConfigWarning[] = [...resolved.warnings];
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
  readonly warnings: MirrorConfigWarning[];
}

function validate(o: MirrorConfigOptions, format: MirrorConfigFormat): void {
  if (!(mirrorConfigFormats as readonly string[]).includes(format))
    throw usage(`unknown format ${format}`, `Use one of ${mirrorConfigFormats.join(', ')}.`);
  validateSources(o);
  if (o.installDir !== undefined && !posix.isAbsolute(o.installDir))
    throw usage(
      `the install folder ${o.installDir} is not an absolute path`,
      'It is the folder on the nodes that config_path names, e.g. /etc/containerd/certs.d.',
      'mirror-install-dir-relative',
    );
  validateCluster(o, format === 'bmctl');
}

/** bmctl's user cluster settings. */
export function validateCluster(
  o: { readonly clusterName?: string; readonly secretNamespace?: string },
  bmctl: boolean,
): void {
  if ((o.clusterName !== undefined || o.secretNamespace !== undefined) && !bmctl)
    throw usage(
      'a user cluster name and a Secret namespace belong to the bmctl format',
      'Write the bmctl format.',
      'mirror-cluster-needs-bmctl',
    );
  if (o.clusterName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.clusterName))
    throw usage(
      `the cluster name ${o.clusterName} is not a Kubernetes name`,
      'Use lowercase letters, digits and "-".',
      'mirror-cluster-name-invalid',
    );
  if (o.secretNamespace !== undefined && o.clusterName === undefined)
    throw usage(
      'a Secret namespace needs the user cluster name',
      'Name the user cluster too.',
      'mirror-secret-namespace-needs-cluster',
    );
}

async function writeHostsDirs(ctx: Context): Promise<MirrorConfigResult> {
  const { o, target, hosts, installDir, ca, warnings } = ctx;
  const outDir = resolve(o.output ?? defaultHostsOutput);
  if (o.pullCredentialConfig !== undefined)
    warnings.push(credentialsUnused(o.pullCredentialConfig, target.registry));
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
  const install: MirrorInstall = {
    format: 'hosts-toml',
    outDir,
    installDir,
    withCa: ca !== undefined,
    overridePath: target.namespace !== '',
  };
  return { format: 'hosts-toml', endpoint: target.endpoint, hosts, files, install, warnings };
}

/** The config.toml table that can hold the credentials instead (it works beside config_path). */
export function criAuthTable(registry: string): string {
  return `[plugins."io.containerd.grpc.v1.cri".registry.configs."${registry}".auth]`;
}

function credentialsUnused(file: string, registry: string): MirrorConfigWarning {
  return {
    kind: 'credentials-unused',
    file,
    registry,
    message: `hosts.toml has no place for credentials, so ${file} is not used: give nodes the registry login through Kubernetes imagePullSecrets, or through ${criAuthTable(registry)} in config.toml (that table works together with config_path; the config-toml format writes it)`,
  };
}

async function pullAuth(ctx: Context): Promise<ConfigTomlAuth | undefined> {
  const path = ctx.o.pullCredentialConfig;
  if (path === undefined) return undefined;
  if (ctx.o.output === undefined) {
    throw usage(
      'the pull credentials would put the registry password into the config: bmpack will not print it',
      'Write it to a file instead (written with mode 0600).',
      'mirror-credentials-need-output',
    );
  }
  const cred = await readPullCredential(path, ctx.target.registry);
  if (cred.identityToken !== undefined) return { identitytoken: cred.identityToken };
  const auth = basicAuth(cred);
  if (auth !== undefined) return { auth };
  throw registryTokenOnly(ctx.target.registry, path);
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
  warnings.push(...configTomlCaveats.map((message) => ({ kind: 'caveat' as const, message })));
  const install: MirrorInstall = {
    format: 'config-toml',
    ...(caFile !== undefined && o.caCert !== undefined
      ? { caCopy: { from: o.caCert, to: caFile } }
      : {}),
  };
  return finish(ctx, content, install, auth !== undefined ? 0o600 : 0o644);
}

async function writeBmctl(ctx: Context): Promise<MirrorConfigResult> {
  const { o, target, hosts, warnings } = ctx;
  if (o.skipVerify === true)
    warnings.push({
      kind: 'bmctl-no-skip-verify',
      message: 'bmctl registryMirrors has no skip-verify setting; give the CA instead',
    });
  const content = renderBmctl({ target, hosts, ...bmctlSettings(o) });
  return finish(ctx, content, { format: 'bmctl' }, 0o644);
}

/** The document of a single-file format: written to the output file, or returned. */
async function finish(
  ctx: Context,
  content: string,
  install: MirrorInstall,
  mode: number,
): Promise<MirrorConfigResult> {
  const { target, hosts, warnings } = ctx;
  const base = { format: install.format, endpoint: target.endpoint, hosts, install, warnings };
  if (ctx.o.output === undefined) return { ...base, files: [], content };
  const file = resolve(ctx.o.output);
  await writeFileAtomic(file, content, mode);
  return { ...base, files: [file] };
}
