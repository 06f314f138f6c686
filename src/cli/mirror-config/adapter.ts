/** `mirror config`: its flags become mirrorConfig's options. */
import {
  mirrorConfig,
  type MirrorConfigFormat,
  type MirrorConfigResult,
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
  readonly format: MirrorConfigFormat;
  readonly output?: string | undefined;
  readonly 'install-dir'?: string | undefined;
  readonly 'cluster-name'?: string | undefined;
  readonly 'secret-namespace'?: string | undefined;
}

export function runMirrorConfig(flags: MirrorConfigFlags): Promise<MirrorConfigResult> {
  const f = flags;
  return mirrorConfig({
    privateRegistry: f['private-registry'],
    format: f.format,
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
    ...(f['install-dir'] !== undefined ? { installDir: f['install-dir'] } : {}),
    ...(f['cluster-name'] !== undefined ? { clusterName: f['cluster-name'] } : {}),
    ...(f['secret-namespace'] !== undefined ? { secretNamespace: f['secret-namespace'] } : {}),
  });
}
