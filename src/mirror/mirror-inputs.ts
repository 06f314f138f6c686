/**
 * What every form of `mirror config` reads before it renders: the mirrored
 * registries (a list, or a bundle's image names, always with gcr.io), the
 * CA, and the mirror's pull credential from a Docker config file.
 */
import { resolve } from 'node:path';
import { BmpackError, type ErrorReason } from '../errors.js';
import { readLocalFile } from '../fs/write-atomic.js';
import { dockerConfigCredentials } from '../registry/auth/credentials/index.js';
import { withBundle } from './bundle-images.js';
import { hostsFromFlag, hostsFromImageNames, mirroredHosts } from './mirrored-hosts.js';
import { alwaysMirrored, type MirrorTarget } from './mirror-target.js';
import { isIdentity, type PathMapping } from '../push/repository-paths.js';
import {
  mappedRepositories,
  mappingNeedsBundle,
  refuseMovedPaths,
  type PathKeepingRuntime,
} from './path-mapping-check.js';
import type { BmctlTreeOptions } from './runtime-render.js';
import type { MirrorRuntime, PullCredential } from './runtime-tree.js';

export interface MirrorSources {
  readonly hosts?: readonly string[];
  readonly source?: string;
  readonly caCert?: string;
  readonly plainHttp?: boolean;
  readonly skipVerify?: boolean;
}

/** A warning about the inputs, in the library's words. */
export interface InputWarning {
  readonly kind: 'only-always-mirrored' | 'mirror-itself';
  readonly message: string;
}

export function usage(message: string, hint: string, reason?: ErrorReason): BmpackError {
  return new BmpackError('E_USAGE', message, { hint, ...(reason !== undefined ? { reason } : {}) });
}

/**
 * Refuses a push path mapping that moves any image of the bundle (all of
 * them when no bundle is named) for a runtime whose files keep every path.
 * Runtimes whose format can express it (runtimeCapabilities
 * canExpressPathRewrite) write it instead (movedRepositoriesOf).
 */
export async function refuseMovedPathsOf(
  o: { readonly source?: string; readonly paths?: PathMapping },
  target: MirrorTarget,
  runtime: PathKeepingRuntime,
): Promise<void> {
  const paths = o.paths;
  if (paths === undefined || isIdentity(paths)) return;
  if (o.source === undefined) {
    refuseMovedPaths(undefined, target, '', paths, runtime);
    return;
  }
  await withBundle(o.source, (source, fallback) => {
    refuseMovedPaths(source.images, target, fallback, paths, runtime);
    return Promise.resolve();
  });
}

/** A repository of the bundle under the push mapping: its source name, and where the mirror has it. */
export interface MovedRepository {
  /** `REGISTRY/PATH`, as nodes ask for it. */
  readonly source: string;
  /** `HOST:PORT/NAMESPACE/FOLDED`, where push put it. */
  readonly mirror: string;
  /** Whether the mapping moved it (a path-keeping mirror would not find it). */
  readonly moved: boolean;
}

/**
 * Every repository of the bundle under a mapping that is not the identity,
 * each once, for a runtime whose format can send them there
 * (registries.conf, registries.yaml). Without a bundle, a mapping that may
 * move images cannot be written: refused.
 */
export async function movedRepositoriesOf(
  o: { readonly source?: string; readonly paths?: PathMapping },
  target: MirrorTarget,
  runtime: MirrorRuntime,
): Promise<MovedRepository[]> {
  const paths = o.paths;
  if (paths === undefined || isIdentity(paths)) return [];
  if (o.source === undefined) throw mappingNeedsBundle(runtime);
  return withBundle(o.source, (source, fallback) =>
    Promise.resolve(mappedRepositories(source.images, target, fallback, paths)),
  );
}

/** The combinations no form accepts. */
export function validateSources(o: MirrorSources): void {
  if (o.hosts !== undefined && o.source !== undefined)
    throw usage(
      'both a host list and a bundle name the mirrored registries',
      'Give one of them.',
      'mirror-hosts-and-source',
    );
  if (o.plainHttp === true && (o.caCert !== undefined || o.skipVerify === true))
    throw usage(
      'a plain HTTP mirror talks no TLS, so a CA certificate or skipping TLS verification means nothing with it',
      'Drop plain HTTP for a TLS registry, or the TLS settings for a plain HTTP one.',
      'mirror-plain-http-with-tls',
    );
}

async function listedHosts(o: MirrorSources): Promise<string[]> {
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

/** The mirrored registries, sorted, with gcr.io and without the mirror itself. */
export async function resolveHosts(
  o: MirrorSources,
  target: MirrorTarget,
): Promise<{ hosts: string[]; warnings: InputWarning[] }> {
  const warnings: InputWarning[] = [];
  const listed = await listedHosts(o);
  if (listed.length === 0)
    warnings.push({
      kind: 'only-always-mirrored',
      message: `only ${alwaysMirrored} is mirrored: name the registries to mirror, or a bundle to take them from`,
    });
  const { hosts, skipped } = mirroredHosts(listed, target.registry);
  for (const h of skipped)
    warnings.push({
      kind: 'mirror-itself',
      message: `${h} is the mirror itself; it gets no mirror configuration`,
    });
  return { hosts, warnings };
}

export async function readCa(path: string): Promise<Buffer> {
  const pem = await readLocalFile(path, 'read the CA file');
  if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new BmpackError('E_CONFIG_INVALID', `${path} holds no PEM certificate`, {
      hint: 'Give the PEM file of the CA that signed the registry certificate (BEGIN CERTIFICATE).',
      reason: 'mirror-ca-not-pem',
    });
  }
  return pem;
}

/** The mirror's entry of a Docker config file; a bare registry token is refused (no runtime file holds one). */
export async function readPullCredential(path: string, registry: string): Promise<PullCredential> {
  const cred = await dockerConfigCredentials({ path: resolve(path) }).get(registry);
  if (cred === undefined) {
    throw new BmpackError('E_NOT_FOUND', `${path} has no credentials for ${registry}`, {
      hint: `Log in first (docker login ${registry} or skopeo login --authfile ${path} ${registry}), or give no pull credentials.`,
      reason: 'mirror-credentials-missing',
      details: { registry, file: path },
    });
  }
  if (cred.identityToken !== undefined) return { identityToken: cred.identityToken };
  if (cred.username !== undefined && cred.password !== undefined)
    return { username: cred.username, password: cred.password };
  throw registryTokenOnly(registry, path);
}

/** bmctl's settings from the options: workstation paths made absolute, and the user cluster. */
export function bmctlSettings(o: {
  readonly caCert?: string;
  readonly pullCredentialConfig?: string;
  readonly clusterName?: string;
  readonly secretNamespace?: string;
}): BmctlTreeOptions {
  return {
    ...(o.caCert !== undefined ? { caCertPath: resolve(o.caCert) } : {}),
    ...(o.pullCredentialConfig !== undefined
      ? { pullCredentialConfigPath: resolve(o.pullCredentialConfig) }
      : {}),
    ...(o.clusterName !== undefined ? { clusterName: o.clusterName } : {}),
    ...(o.secretNamespace !== undefined ? { secretNamespace: o.secretNamespace } : {}),
  };
}

export function registryTokenOnly(registry: string, path: string): BmpackError {
  return new BmpackError(
    'E_CONFIG_INVALID',
    `the credentials for ${registry} in ${path} are a registry token, which runtime configuration cannot hold`,
    { hint: 'Use a Docker config entry with a user name and password.' },
  );
}
