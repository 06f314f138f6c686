/** `bundle merge` behind its command. */
import { resolve } from 'node:path';
import type { ProgressListener } from '../../events.js';
import { mergeBundles, type MergeBundlesResult } from '../../bundle-writer/merge-bundles.js';
import { formatBytes } from '../format-bytes.js';

export interface BundleMergeFlags {
  readonly output: string;
  readonly prefer?: string | undefined;
}

export function runBundleMerge(
  inputs: readonly string[],
  flags: BundleMergeFlags,
  onEvent: ProgressListener,
): Promise<MergeBundlesResult> {
  return mergeBundles({
    inputs: inputs.map((i) => resolve(i)),
    output: resolve(flags.output),
    preferLast: flags.prefer === 'last',
    onEvent,
  });
}

export function renderMerge(r: MergeBundlesResult): string[] {
  return [
    `merged into ${r.output}: ${r.images} images, ${r.blobs} blobs, ${formatBytes(r.bytes)}, sha256 ${r.sha256} (${r.seconds} s)`,
    ...r.replaced.map((name) => `  ${name}: the later bundle's digest (--prefer last)`),
  ];
}
