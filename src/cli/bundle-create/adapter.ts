/** `bundle create`: its flags become createBundle's options. */
import type { ProgressListener } from '../../events.js';
import { createBundle, type CreateBundleResult } from '../../bundle-writer/create-bundle.js';
import { parsePlatform } from '../../oci/platform.js';

export interface BundleCreateFlags {
  readonly manifest: string[];
  readonly concurrency: number;
  readonly output?: string | undefined;
  readonly platform?: string[] | undefined;
  readonly 'insecure-registry'?: string[] | undefined;
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
    ...(flags['docker-config'] !== undefined ? { dockerConfig: flags['docker-config'] } : {}),
    ...(flags['cache-dir'] !== undefined ? { cacheDir: flags['cache-dir'] } : {}),
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    signal,
    onEvent,
  });
}
