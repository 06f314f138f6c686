/** --concurrency and --dry-run, as the copy engine's options (push images, image copy). */
import type { EngineOptions } from '../copy/index.js';
import type { ProgressListener } from '../events.js';

export interface EngineFlagValues {
  readonly concurrency: number;
  readonly 'dry-run': boolean;
}

export function engineFlags(flags: EngineFlagValues, onEvent: ProgressListener): EngineOptions {
  return { concurrency: flags.concurrency, dryRun: flags['dry-run'], onEvent };
}
