/**
 * The one walker: from an image's top descriptor, read every manifest and
 * index it reaches (concurrently, each digest once, verified against its
 * digest), apply a platform filter to the top index, and return the graph.
 *
 * Strict walks (create, push, copy) fail on the first document that cannot
 * be read; tolerant walks (inspect, verify) record it as a fault and go on,
 * so that every image of a damaged bundle is reported.
 */
import { sha256Digest } from '../content/digest.js';
import { BmpackError, isBmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import {
  isArtifactManifest,
  parseManifest,
  type AnyManifest,
  type ImageManifest,
} from '../oci/manifest.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { ImageReference } from '../reference/index.js';
import type { ImageSource, StoreRepository } from '../store/index.js';
import { configPlatform, maxConfigBytes } from './config-platform.js';
import type { GraphDocument, GraphFault, ImageGraph } from './image-graph.js';
import { assembleGraph, type GraphNode } from './assemble-graph.js';
import {
  checkSinglePlatform,
  filterIndexBytes,
  platformOf,
  selectChildren,
} from './platform-filter.js';

export interface WalkOptions {
  /** How messages name the image: `gcr.io/x/y:1`. */
  readonly name: string;
  /** Where it is, for messages: `in release.tar.xz`. */
  readonly where?: string;
  /** Keep only the children of the top index that match (a filtered index is written). */
  readonly platforms?: readonly PlatformSpec[];
  /** Record unreadable manifests as faults and go on, instead of failing. */
  readonly tolerant?: boolean;
  /** Read the configs of manifests whose descriptor names no platform, to report it. */
  readonly findPlatforms?: boolean;
  /** Manifests and indexes already read and verified elsewhere, by digest. */
  readonly documents?: ReadonlyMap<string, Buffer>;
  /**
   * The image is pinned by digest: a filtered index would not be the pinned
   * one. `whole` carries the index whole (every platform); `strict` fails.
   */
  readonly pinned?: 'whole' | 'strict';
}

/** Resolve `ref` in `source` and walk it. */
export async function walkImage(
  source: ImageSource,
  ref: ImageReference,
  o: WalkOptions,
): Promise<ImageGraph> {
  return walkFrom(source, ref, await source.resolve(ref), o);
}

/** Walk from a known top descriptor (an image a bundle lists). */
export async function walkFrom(
  source: ImageSource,
  at: StoreRepository,
  top: Descriptor,
  o: WalkOptions,
): Promise<ImageGraph> {
  const loader = new Loader(source, at, o);
  const root = await loader.load(top, o.platforms);
  const graph = assembleGraph(root, loader.originalIndexDigest);
  return loader.pinnedChoice === undefined ? graph : { ...graph, pinnedWhole: loader.pinnedChoice };
}

class Loader {
  private readonly nodes = new Map<string, Promise<GraphNode>>();
  originalIndexDigest: string | undefined;
  /** A pinned index carried whole: the children the platform filter would have kept. */
  pinnedChoice: readonly string[] | undefined;

  constructor(
    private readonly source: ImageSource,
    private readonly at: StoreRepository,
    private readonly o: WalkOptions,
  ) {}

  /** The node for `d`; `wanted` filters the children of the top index only. */
  load(d: Descriptor, wanted?: readonly PlatformSpec[]): Promise<GraphNode> {
    let node = this.nodes.get(d.digest);
    if (node === undefined) {
      node = this.read(d, wanted);
      this.nodes.set(d.digest, node);
    }
    return node;
  }

  private async read(d: Descriptor, wanted?: readonly PlatformSpec[]): Promise<GraphNode> {
    const got = await this.readManifest(d);
    if ('fault' in got) return { descriptor: d, fault: got.fault, children: [] };
    const { manifest: m, bytes } = got;
    if (m.kind === 'manifest') return this.manifestNode(d, m, bytes, wanted);
    // An index whose children name no platform (of artifacts, say) is not
    // filtered by platform: it passes through whole.
    const filter = wanted !== undefined && m.manifests.some(namesPlatform);
    const listed = filter ? this.select(d, m.manifests, wanted) : m.manifests;
    const children = await Promise.all(listed.map((c) => this.load(c)));
    if (listed.length === m.manifests.length)
      return { descriptor: d, manifest: m, document: document(d.digest, m, bytes), children };
    const kept = filterIndexBytes(bytes, new Set(listed.map((c) => c.digest)), this.o.name);
    this.originalIndexDigest = d.digest;
    const digest = sha256Digest(kept);
    const descriptor = { mediaType: d.mediaType, digest, size: kept.length };
    const filtered = { ...m, manifests: listed };
    return { descriptor, manifest: filtered, document: document(digest, filtered, kept), children };
  }

  /** The children a platform filter keeps; all of them for an index pinned by digest. */
  private select(
    d: Descriptor,
    children: readonly Descriptor[],
    wanted: readonly PlatformSpec[],
  ): readonly Descriptor[] {
    if (this.o.pinned === undefined) return selectChildren(children, wanted, this.o.name);
    let chosen: readonly Descriptor[] = [];
    try {
      chosen = selectChildren(children, wanted, this.o.name);
    } catch (err) {
      if (this.o.pinned === 'strict' || !isBmpackError(err, 'E_PLATFORM_MISSING')) throw err;
    }
    if (chosen.length === children.length) return children;
    if (this.o.pinned === 'strict') throw pinnedError(this.o.name, d.digest, chosen);
    this.pinnedChoice = chosen.map((c) => c.digest);
    return children;
  }

  private async manifestNode(
    d: Descriptor,
    m: ImageManifest,
    bytes: Buffer,
    wanted: readonly PlatformSpec[] | undefined,
  ): Promise<GraphNode> {
    // An artifact (a Helm chart, an OCI 1.1 artifact) has no platform: filters pass it through.
    const image = !isArtifactManifest(m);
    const ask = image && (this.o.findPlatforms === true || wanted !== undefined);
    const fromConfig = ask && d.platform === undefined ? await this.configOf(m.config) : undefined;
    if (wanted !== undefined && image) checkSinglePlatform(this.o.name, fromConfig, wanted);
    return {
      descriptor: d,
      manifest: m,
      document: document(d.digest, m, bytes),
      children: [],
      ...(fromConfig !== undefined ? { configPlatform: fromConfig } : {}),
    };
  }

  private async readManifest(
    d: Descriptor,
  ): Promise<{ manifest: AnyManifest; bytes: Buffer } | { fault: GraphFault }> {
    if (this.o.tolerant === true && !this.source.holds(d.digest))
      return { fault: { digest: d.digest, missing: true } };
    try {
      const bytes = this.o.documents?.get(d.digest) ?? (await this.source.readDocument(this.at, d));
      return { manifest: parseManifest(bytes, d.mediaType, this.what(d.digest)), bytes };
    } catch (err) {
      if (this.o.tolerant !== true || !(err instanceof BmpackError)) throw err;
      return { fault: { digest: d.digest, missing: false, error: err } };
    }
  }

  private what(digest: string): string {
    const where = this.o.where !== undefined ? ` ${this.o.where}` : '';
    return `image ${this.o.name}${where} manifest ${digest}`;
  }

  /** The platform a config names; none when it is not an image config or cannot be read (tolerant). */
  private async configOf(config: Descriptor): Promise<string | undefined> {
    if (config.size > maxConfigBytes || !this.source.holds(config.digest)) return undefined;
    try {
      return configPlatform(await this.source.readDocument(this.at, config));
    } catch (err) {
      if (this.o.tolerant === true && err instanceof BmpackError) return undefined;
      throw err;
    }
  }
}

/** Filtering a pinned index would make another digest: say so, and what to pin instead. */
function pinnedError(name: string, digest: string, chosen: readonly Descriptor[]): BmpackError {
  const instead = chosen.map((c) => `${platformOf(c) ?? 'unknown'} ${c.digest}`).join(', ');
  return new BmpackError(
    'E_PLATFORM_PINNED',
    `image ${name} is pinned by digest ${digest}: filtering its platforms would write a new index with another digest, which nodes pulling ${digest} would not find`,
    {
      hint: `Pin the platform manifest's digest instead${instead ? ` (${instead})` : ''}, or drop strictPlatforms to carry the pinned index whole.`,
      details: { image: name, digest },
    },
  );
}

/** A child descriptor that names a real platform (not BuildKit's unknown/unknown). */
function namesPlatform(d: Descriptor): boolean {
  return d.platform !== undefined && d.platform.os !== 'unknown';
}

function document(digest: string, m: AnyManifest, bytes: Buffer): GraphDocument {
  return {
    digest,
    mediaType: m.mediaType,
    kind: m.kind,
    bytes,
    children: m.kind === 'index' ? m.manifests.map((c) => c.digest) : [],
    blobs: m.kind === 'index' ? [] : [m.config, ...m.layers].map((b) => b.digest),
    ...(m.subject !== undefined ? { subject: m.subject.digest } : {}),
  };
}
