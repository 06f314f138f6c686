/** `bundle split` behind its command. */
import type { ProgressListener } from '../../events.js';
import { splitBundle, type SplitBundleResult } from '../../bundle-writer/split-bundle.js';
import { parseSize } from '../upload-flags.js';

export interface BundleSplitFlags {
  readonly size: string;
  readonly remove: boolean;
  readonly parity: boolean;
}

export function runBundleSplit(
  path: string,
  flags: BundleSplitFlags,
  onEvent: ProgressListener,
): Promise<SplitBundleResult> {
  return splitBundle({
    path,
    partSize: parseSize(flags.size, '--size'),
    removeWhole: flags.remove,
    parity: flags.parity,
    onEvent,
  });
}
