/** `bundle create`: its flags become createBundle's options. */
import type { ProgressListener } from '../../events.js';
import { createBundle, type CreateBundleResult } from '../../bundle-writer/create-bundle.js';
import { parsePlatform } from '../../oci/platform.js';
import { BmpackError } from '../../errors.js';
import { referrerKinds, type ReferrerKind } from '../../referrers/index.js';
import { clientSetup } from '../client-options.js';
import { parseSize } from '../upload-flags.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export interface BundleCreateFlags extends RegistryFlagValues {
  readonly manifest: string[];
  readonly concurrency: number;
  readonly output?: string | undefined;
  readonly platform?: string[] | undefined;
  readonly 'insecure-registry'?: string[] | undefined;
  readonly 'cache-dir'?: string | undefined;
  readonly 'cache-blobs'?: boolean | undefined;
  readonly since?: string | undefined;
  readonly 'split-size'?: string | undefined;
  readonly parity?: boolean | undefined;
  readonly referrers?: readonly string[] | undefined;
}

export async function runBundleCreate(
  flags: BundleCreateFlags,
  signal: AbortSignal,
  onEvent: ProgressListener,
  warn: (message: string) => void,
): Promise<CreateBundleResult> {
  if (flags.manifest.includes('-') && flags['password-stdin'] === true) {
    throw new BmpackError(
      'E_USAGE',
      'standard input cannot carry both an image list (--manifest -) and a password (--password-stdin)',
      {
        hint: 'Write the image list to a file, or keep the password in a login file (--authfile).',
      },
    );
  }
  // Several registries: a --username must name its own (HOST=USER).
  const setup = await clientSetup(undefined, flags);
  for (const w of setup.warnings) warn(w);
  return createBundle({
    manifests: flags.manifest,
    concurrency: flags.concurrency,
    ...(flags.output !== undefined ? { output: flags.output } : {}),
    ...(flags.platform ? { platforms: flags.platform.map(parsePlatform) } : {}),
    ...(flags['insecure-registry'] ? { insecureRegistries: flags['insecure-registry'] } : {}),
    hosts: setup.hosts,
    credentials: setup.credentials,
    ...(flags['cache-dir'] !== undefined ? { cacheDir: flags['cache-dir'] } : {}),
    ...(flags['cache-blobs'] === true ? { cacheBlobs: true } : {}),
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags['split-size'] !== undefined
      ? { splitSize: parseSize(flags['split-size'], '--split-size') }
      : {}),
    ...(flags.parity === true ? { parity: true } : {}),
    ...referrerChoice(flags.referrers),
    signal,
    onEvent,
  });
}

/** --referrers: all, none, or the kinds named; unset, the image set's spec.referrers (default all). */
function referrerChoice(values: readonly string[] | undefined): {
  referrers?: 'none' | readonly ReferrerKind[];
} {
  if (values === undefined) return {};
  if (values.includes('all')) return { referrers: referrerKinds };
  if (values.includes('none')) {
    if (values.length > 1)
      throw new BmpackError('E_USAGE', '--referrers none was given with other kinds', {
        hint: 'Give --referrers none alone, or the kinds to carry.',
      });
    return { referrers: 'none' };
  }
  return { referrers: referrerKinds.filter((k) => values.includes(k)) };
}
