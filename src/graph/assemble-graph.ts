/**
 * From the documents a walk read to the graph: one deterministic pass over
 * the tree (the reads ran concurrently, so their order is not the graph's).
 * Pure.
 */
import type { Descriptor } from '../oci/descriptor.js';
import type { AnyManifest } from '../oci/manifest.js';
import { isIndexMediaType } from '../oci/media-types.js';
import type { GraphBlob, GraphDocument, GraphFault, GraphItem, ImageGraph } from './image-graph.js';
import { platformOf } from './platform-filter.js';

/** A document as read: with its parsed form, or the fault that kept it from being read. */
export interface GraphNode {
  readonly descriptor: Descriptor;
  readonly document?: GraphDocument;
  /** For a filtered index, only the children kept. */
  readonly manifest?: AnyManifest;
  readonly fault?: GraphFault;
  /** An index's children, in the order its (kept) manifests list them. */
  readonly children: readonly GraphNode[];
  /** The platform its config names, when the walk read it. */
  readonly configPlatform?: string;
}

export function assembleGraph(root: GraphNode, originalIndexDigest?: string): ImageGraph {
  const items = new Map<string, GraphItem>();
  const documents: GraphDocument[] = [];
  const blobs = new Map<string, GraphBlob>();
  const platforms = new Set<string>();
  const faults: GraphFault[] = [];
  const item = (d: Descriptor, kind: GraphItem['kind']): void => {
    if (!items.has(d.digest))
      items.set(d.digest, { digest: d.digest, size: d.size, mediaType: d.mediaType, kind });
  };
  const visit = (node: GraphNode, via: Descriptor): void => {
    if (items.has(via.digest)) return;
    const m = node.manifest;
    item(via, m?.kind ?? (isIndexMediaType(via.mediaType) ? 'index' : 'manifest'));
    if (node.fault !== undefined) faults.push(node.fault);
    if (m === undefined || node.document === undefined) return;
    if (m.kind === 'index') {
      m.manifests.forEach((c, i) => {
        const child = node.children[i];
        if (child !== undefined) visit(child, c);
      });
    } else {
      const named: Array<[GraphBlob['kind'], Descriptor]> = [
        ['config', m.config],
        ...m.layers.map((l): [GraphBlob['kind'], Descriptor] => ['layer', l]),
      ];
      for (const [kind, b] of named) {
        item(b, kind);
        if (!blobs.has(b.digest)) blobs.set(b.digest, { ...b, kind });
      }
      const p = platformOf(via) ?? node.configPlatform;
      if (p !== undefined && p !== 'unknown/unknown') platforms.add(p);
    }
    documents.push(node.document);
  };
  visit(root, root.descriptor);
  return {
    top: root.descriptor,
    documents,
    blobs: [...blobs.values()],
    items: [...items.values()],
    platforms: [...platforms],
    ...(originalIndexDigest !== undefined ? { originalIndexDigest } : {}),
    faults,
  };
}
