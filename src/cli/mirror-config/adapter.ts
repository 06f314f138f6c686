/** `mirror config`: its flags become mirrorConfig's (or, with --runtime, mirrorRuntimeConfig's) options. */
import {
  mirrorConfig,
  mirrorRuntimeConfig,
  type MirrorConfigFormat,
  type MirrorConfigResult,
  type MirrorRuntime,
  type MirrorRuntimeResult,
} from '../../mirror/index.js';
import { pathMappingFromFlags, type PathFlagValues } from '../path-flags.js';

export interface MirrorConfigFlags extends PathFlagValues {
  readonly 'private-registry': string;
  readonly hosts?: readonly string[] | undefined;
  readonly source?: string | undefined;
  readonly cacert?: string | undefined;
  readonly 'pull-credential-config'?: string | undefined;
  readonly 'plain-http'?: boolean | undefined;
  readonly 'insecure-skip-tls-verify'?: boolean | undefined;
  readonly runtime?: MirrorRuntime | undefined;
  readonly format?: MirrorConfigFormat | undefined;
  readonly output?: string | undefined;
  readonly 'node-root'?: string | undefined;
  readonly 'install-dir'?: string | undefined;
  readonly 'cluster-name'?: string | undefined;
  readonly 'secret-namespace'?: string | undefined;
}

function shared(f: MirrorConfigFlags) {
  return {
    privateRegistry: f['private-registry'],
    paths: pathMappingFromFlags(f),
    ...(f.hosts !== undefined ? { hosts: f.hosts } : {}),
    ...(f.source !== undefined ? { source: f.source } : {}),
    ...(f.cacert !== undefined ? { caCert: f.cacert } : {}),
    ...(f['pull-credential-config'] !== undefined
      ? { pullCredentialConfig: f['pull-credential-config'] }
      : {}),
    ...(f['plain-http'] === true ? { plainHttp: true } : {}),
    ...(f['insecure-skip-tls-verify'] === true ? { skipVerify: true } : {}),
    ...(f.output !== undefined ? { output: f.output } : {}),
    ...(f['cluster-name'] !== undefined ? { clusterName: f['cluster-name'] } : {}),
    ...(f['secret-namespace'] !== undefined ? { secretNamespace: f['secret-namespace'] } : {}),
  };
}

export function runMirrorConfig(
  flags: MirrorConfigFlags,
): Promise<MirrorConfigResult | MirrorRuntimeResult> {
  const f = flags;
  if (f.runtime !== undefined)
    return mirrorRuntimeConfig({
      ...shared(f),
      runtime: f.runtime,
      ...(f['node-root'] !== undefined ? { nodeRoot: f['node-root'] } : {}),
    });
  return mirrorConfig({
    ...shared(f),
    format: f.format ?? 'hosts-toml',
    ...(f['install-dir'] !== undefined ? { installDir: f['install-dir'] } : {}),
  });
}
