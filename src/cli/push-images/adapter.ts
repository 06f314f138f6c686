/** The whole of `bmpack push images` behind its command: flags in, result and lines out. */
import type { ProgressListener } from '../../events.js';
import { parsePrivateRegistry } from '../../push/private-registry.js';
import { pushImages, type PushImagesResult } from '../../push/push-images.js';
import { hostOptionsFromFlags } from '../client-options.js';
import { engineFlags } from '../engine-flags.js';
import { pathMappingFromFlags, type PathFlagValues } from '../path-flags.js';
import { uploadFlagSettings, type UploadFlagValues } from '../upload-flags.js';
import { terminalPushCredentials, type PushCredentialOptions } from '../push-credentials.js';

export interface PushImagesFlags extends PushCredentialOptions, UploadFlagValues, PathFlagValues {
  readonly source: string;
  readonly 'private-registry': string;
  readonly concurrency: number;
  readonly 'dry-run': boolean;
}

export async function runPushImages(
  flags: PushImagesFlags,
  signal: AbortSignal,
  onEvent: ProgressListener,
  warn: (message: string) => void,
): Promise<PushImagesResult> {
  const { registry } = parsePrivateRegistry(flags['private-registry']);
  // A bad --chunk-size fails before any question is asked.
  const upload = uploadFlagSettings(flags);
  const paths = pathMappingFromFlags(flags);
  const creds = await terminalPushCredentials(registry, flags, flags['dry-run']);
  for (const w of creds.warnings) warn(w);
  const result = await pushImages({
    source: flags.source,
    privateRegistry: flags['private-registry'],
    host: hostOptionsFromFlags(flags),
    paths,
    ...(creds.credentials ? { credentials: creds.credentials } : {}),
    ...engineFlags(flags, onEvent),
    ...upload,
    signal,
  });
  for (const w of result.warnings) warn(w);
  return result;
}
