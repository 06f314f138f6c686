/** `bundle create` for people: the file written, its contents, the delta's base, its sha256. */
import type { CreateBundleResult } from '../../bundle-writer/create-bundle.js';
import { formatBytes } from '../format-bytes.js';

export function renderCreateResult(result: CreateBundleResult): string[] {
  const lines = [
    `wrote ${result.output}`,
    `  ${result.images} images, ${result.blobs} blobs, ${formatBytes(result.bytes)} (dedupe saved ${formatBytes(result.dedupedBytes)})`,
  ];
  if (result.base !== undefined) {
    lines.push(
      `  delta of ${result.base.name} ${result.base.version}: ${result.omittedBlobs ?? 0} blobs (${formatBytes(result.omittedBytes ?? 0)}) left to the base`,
    );
  }
  lines.push(
    `  sha256 ${result.sha256}  (${result.fetchedBlobs} blobs fetched, ${result.seconds} s)`,
  );
  for (const p of result.parts ?? []) lines.push(`  part ${p.path}  ${formatBytes(p.size)}`);
  return lines;
}
