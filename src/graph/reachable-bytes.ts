/**
 * Bytes of what a graph reaches from some of its documents (themselves,
 * the manifests they list, the configs and layers those name), each digest
 * counted once. Pure.
 */
import type { ImageGraph } from './image-graph.js';

export function reachableBytes(graph: ImageGraph, roots: readonly string[]): number {
  const documents = new Map(graph.documents.map((d) => [d.digest, d]));
  const blobs = new Map(graph.blobs.map((b) => [b.digest, b.size]));
  const seen = new Set<string>();
  let total = 0;
  const visit = (digest: string): void => {
    if (seen.has(digest)) return;
    seen.add(digest);
    const d = documents.get(digest);
    if (d === undefined) {
      total += blobs.get(digest) ?? 0;
      return;
    }
    total += d.bytes.length;
    for (const next of [...d.children, ...d.blobs]) visit(next);
  };
  for (const root of roots) visit(root);
  return total;
}
