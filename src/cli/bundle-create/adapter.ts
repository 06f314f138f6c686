/** `bundle create`: its flags become createBundle's options. */
import type { ProgressListener } from '../../events.js';
import { createBundle, type CreateBundleResult } from '../../bundle-writer/create-bundle.js';
import { BmpackError } from '../../errors.js';
import { parsePlatform } from '../../oci/platform.js';
import { anyRegistry, type HostOptions } from '../../registry/http/host-options.js';

export interface BundleCreateFlags {
  readonly manifest: string[];
  readonly concurrency: number;
  readonly output?: string | undefined;
  readonly platform?: string[] | undefined;
  readonly 'insecure-registry'?: string[] | undefined;
  readonly cacert?: string[] | undefined;
  readonly 'docker-config'?: string | undefined;
  readonly 'cache-dir'?: string | undefined;
  readonly since?: string | undefined;
}

export function runBundleCreate(
  flags: BundleCreateFlags,
  signal: AbortSignal,
  onEvent: ProgressListener,
): Promise<CreateBundleResult> {
  return createBundle({
    manifests: flags.manifest,
    concurrency: flags.concurrency,
    ...(flags.output !== undefined ? { output: flags.output } : {}),
    ...(flags.platform ? { platforms: flags.platform.map(parsePlatform) } : {}),
    ...(flags['insecure-registry'] ? { insecureRegistries: flags['insecure-registry'] } : {}),
    ...(flags.cacert ? { hosts: caHosts(flags.cacert) } : {}),
    ...(flags['docker-config'] !== undefined ? { dockerConfig: flags['docker-config'] } : {}),
    ...(flags['cache-dir'] !== undefined ? { cacheDir: flags['cache-dir'] } : {}),
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    signal,
    onEvent,
  });
}

/**
 * `--cacert FILE` trusts FILE for every source registry; `--cacert
 * HOST=FILE` for that registry only (the one for its host wins).
 */
export function caHosts(values: readonly string[]): Record<string, HostOptions> {
  const hosts: Record<string, HostOptions> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const [host, file] =
      at === -1 ? [anyRegistry, value] : [value.slice(0, at), value.slice(at + 1)];
    if (host === '' || file === '')
      throw new BmpackError('E_USAGE', `invalid --cacert ${JSON.stringify(value)}`, {
        hint: 'Write --cacert FILE (every registry) or --cacert HOST[:PORT]=FILE (that registry).',
      });
    hosts[host] = { caFile: file };
  }
  return hosts;
}
