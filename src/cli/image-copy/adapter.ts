/** `bmpack image copy` behind its command: arguments and flags in, the library's options out. */
import type { ProgressListener } from '../../events.js';
import {
  hostOptionsFor,
  type HostOptions,
  type HostOptionsMap,
} from '../../registry/http/host-options.js';
import { copyImage, type ImageCopyResult } from '../../image/copy-image.js';
import { copyRegistries } from '../../image/copy-requests.js';
import { parsePlatform } from '../../oci/platform.js';
import { parseImageLocation } from '../../reference/index.js';
import { clientSetup } from '../client-options.js';
import { engineFlags } from '../engine-flags.js';
import { uploadFlagSettings, type UploadFlagValues } from '../upload-flags.js';
import type { RegistryFlagValues } from '../registry-flags.js';

export interface ImageCopyFlags extends RegistryFlagValues, UploadFlagValues {
  readonly all: boolean;
  readonly 'src-cacert'?: string | undefined;
  readonly 'src-plain-http'?: boolean | undefined;
  readonly 'src-insecure-skip-tls-verify'?: boolean | undefined;
  readonly platform?: readonly string[] | undefined;
  readonly concurrency: number;
  readonly 'dry-run': boolean;
}

export async function runImageCopy(
  args: { readonly source: string; readonly destination: string },
  flags: ImageCopyFlags,
  signal: AbortSignal,
  onEvent: ProgressListener,
  warn: (message: string) => void,
): Promise<ImageCopyResult> {
  const upload = uploadFlagSettings(flags);
  const registries = copyRegistries(
    parseImageLocation(args.source),
    parseImageLocation(args.destination),
    flags.all,
  );
  // --username and --password are for the registry written to (else the one read from).
  const setup = await clientSetup(registries.destination ?? registries.source, flags);
  for (const w of setup.warnings) warn(w);
  const result = await copyImage({
    source: args.source,
    destination: args.destination,
    all: flags.all,
    ...(flags.platform ? { platforms: flags.platform.map(parsePlatform) } : {}),
    host: hostOptionsFor(setup.hosts, registries.destination ?? registries.source ?? ''),
    ...sourceHost(flags, setup.hosts, registries.source),
    credentials: setup.credentials,
    ...engineFlags(flags, onEvent),
    ...upload,
    signal,
  });
  for (const w of result.warnings) warn(w);
  return result;
}

/**
 * The source registry's settings: the --src-… flags when any is given,
 * else what the general flags say for its host.
 */
function sourceHost(
  flags: ImageCopyFlags,
  hosts: HostOptionsMap,
  source: string | undefined,
): { sourceHost?: HostOptions } {
  const own: HostOptions = {
    ...(flags['src-cacert'] !== undefined ? { caFile: flags['src-cacert'] } : {}),
    ...(flags['src-plain-http'] === true ? { plainHttp: true } : {}),
    ...(flags['src-insecure-skip-tls-verify'] === true ? { skipVerify: true } : {}),
  };
  if (Object.keys(own).length > 0) return { sourceHost: own };
  return source === undefined ? {} : { sourceHost: hostOptionsFor(hosts, source) };
}
