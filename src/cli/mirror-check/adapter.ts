/** `mirror check`: its flags become checkMirror's options, with credentials asked for on a terminal. */
import { hostOptionsFor } from '../../registry/http/host-options.js';
import { hostOptionsFromFlags } from '../client-options.js';
import { terminalPushCredentials, type PushCredentialOptions } from '../push-credentials.js';
import { checkMirror, MirrorCheckError, type MirrorCheckReport } from '../../mirror/index.js';
import { mirrorTarget, type MirrorRuntime } from '../../mirror/index.js';
import { pathMappingFromFlags, type PathFlagValues } from '../path-flags.js';

export interface MirrorCheckFlags extends PushCredentialOptions, PathFlagValues {
  readonly source: string;
  readonly 'private-registry': string;
  readonly config?: string | undefined;
  readonly runtime?: MirrorRuntime | undefined;
  readonly 'config-only'?: boolean | undefined;
  readonly concurrency?: number | undefined;
}

/**
 * Runs the check; returns the report when all is well, and throws a
 * {@link MirrorCheckError} (E_NOT_FOUND or E_CONFIG_INVALID, carrying the
 * report) when not.
 */
export async function runMirrorCheck(
  flags: MirrorCheckFlags,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<MirrorCheckReport> {
  const { registry } = mirrorTarget(flags['private-registry']);
  const configOnly = flags['config-only'] === true;
  const creds = configOnly
    ? { credentials: undefined, warnings: [] }
    : await terminalPushCredentials(registry, flags);
  for (const w of creds.warnings) warn(w);
  const report = await checkMirror({
    source: flags.source,
    privateRegistry: flags['private-registry'],
    host: hostOptionsFor(hostOptionsFromFlags(flags), registry),
    paths: pathMappingFromFlags(flags),
    ...(creds.credentials ? { credentials: creds.credentials } : {}),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
    ...(configOnly ? { configOnly } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(signal ? { signal } : {}),
  });
  for (const w of report.warnings) warn(w);
  if (!report.ok) throw new MirrorCheckError(report, flags['private-registry'], flags.source);
  return report;
}
