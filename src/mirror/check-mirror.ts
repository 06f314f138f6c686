/**
 * `bmpack mirror check`: resolve every image of a bundle through the
 * mirror the way containerd does with override_path (HEAD
 * `/v2/NAMESPACE/<path>/manifests/<tag or digest>`), compare the digest
 * with the bundle's, and walk the image in the mirror to prove it serves
 * every manifest, config and layer a node will ask for (mirror-closure.ts).
 * Optionally also judge a node's containerd configuration (config-check.ts).
 */
import pLimit from 'p-limit';
import { BmpackError } from '../errors.js';
import { identityMapping, type PathMapping } from '../push/repository-paths.js';
import { mapImages } from '../push/target-mapping.js';
import { keepsPaths, refuseMovedPaths } from './path-mapping-check.js';
import { formatReference, type ImageReference } from '../reference/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import { RegistrySink, RegistrySource } from '../store/index.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { withBundle } from './bundle-images.js';
import { checkNodeConfig, type CheckedImage, type NodeConfigCheck } from './node-config-check.js';
import type { MirrorRuntime } from './runtime-tree.js';
import { hostsFromImageNames } from './mirrored-hosts.js';
import { missingAtMirror } from './mirror-closure.js';
import { mirrorTarget } from './mirror-target.js';

/** `incomplete`: the mirror has the image's top manifest but not everything it reaches. */
export type MirrorImageStatus = 'present' | 'missing' | 'digest-differs' | 'incomplete';

export interface MirrorImageCheck {
  /** The image as nodes ask for it (normalised source reference). */
  readonly ref: string;
  /** Where the mirror must serve it: HOST:PORT/NAMESPACE/PATH:TAG. */
  readonly target: string;
  readonly status: MirrorImageStatus;
  /** The bundle's digest. */
  readonly expected: string;
  /** The mirror's digest, null when it has none. */
  readonly actual: string | null;
  /** For an incomplete image: the manifests and blobs it reaches that the mirror lacks. */
  readonly missing?: readonly string[];
}

export interface MirrorCheckReport {
  /** The endpoint containerd uses, e.g. https://10.0.0.5:5000/v2/ns. */
  readonly mirror: string;
  /** Empty with configOnly. */
  readonly images: readonly MirrorImageCheck[];
  readonly config?: NodeConfigCheck;
  readonly ok: boolean;
  readonly warnings: readonly string[];
}

export interface MirrorCheckOptions {
  readonly source: string;
  readonly privateRegistry: string;
  /** TLS / plain HTTP towards the mirror. */
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  /** A runtime's configuration to check as well: its file, a certs.d folder, or a node's root. */
  readonly config?: string;
  /** Which runtime reads `config`. Default: containerd, 1.x or 2.x. */
  readonly runtime?: MirrorRuntime;
  /** Check only `config`; send no request to the mirror. */
  readonly configOnly?: boolean;
  readonly concurrency?: number;
  /** The path mapping the push used (rewrite rules, depth limit). */
  readonly paths?: PathMapping;
  readonly signal?: AbortSignal;
}

export async function checkMirror(o: MirrorCheckOptions): Promise<MirrorCheckReport> {
  if (o.configOnly === true && o.config === undefined) {
    throw new BmpackError(
      'E_USAGE',
      'checking only the configuration needs a configuration to check',
      {
        hint: 'Name a certs.d folder (e.g. /etc/containerd/certs.d) or a config.toml, or check the mirror as well.',
        reason: 'mirror-config-only-without-config',
      },
    );
  }
  const target = mirrorTarget(o.privateRegistry, o.host?.plainHttp === true);
  return withBundle(o.source, async (source, fallback) => {
    const paths = o.paths ?? identityMapping;
    // A configuration that cannot follow moved paths (containerd's, docker's) is refused with them;
    // registries.conf and registries.yaml are judged against where push put each image.
    const judged = o.runtime ?? 'containerd';
    if (o.config !== undefined && keepsPaths(judged))
      refuseMovedPaths(source.images, target, fallback, paths, judged);
    const mapping = mapImages(source.images, target, fallback, paths);
    const images = o.configOnly === true ? [] : await headAll(o, target.registry, mapping.images);
    const config =
      o.config !== undefined
        ? await checkNodeConfig(
            o.config,
            o.runtime,
            hostsFromImageNames(
              source.images.map((i) => i.name),
              fallback,
            ),
            mapping.images.map(checkedImage),
            target,
          )
        : undefined;
    const ok = images.every((i) => i.status === 'present') && (config?.ok ?? true);
    return {
      mirror: target.endpoint,
      images,
      ...(config !== undefined ? { config } : {}),
      ok,
      warnings: mapping.warnings,
    };
  });
}

/** A mapped image as the node names it and as push placed it. */
function checkedImage(image: ReturnType<typeof mapImages>['images'][number]): CheckedImage {
  const { from, target } = image;
  const reference = target.tag ?? target.digest ?? 'latest';
  return {
    ref: image.source,
    name: { registry: from.registry, repository: from.repository, reference },
    mirrorRepository: target.repository,
  };
}

async function headAll(
  o: MirrorCheckOptions,
  registry: string,
  images: ReturnType<typeof mapImages>['images'],
): Promise<MirrorImageCheck[]> {
  const client = new RegistryClient({
    hosts: { [registry]: o.host ?? {} },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const limit = pLimit(o.concurrency ?? 8);
  const mirror = { source: new RegistrySource(client), sink: new RegistrySink(client, registry) };
  try {
    return await Promise.all(
      images.map((image) =>
        limit(async (): Promise<MirrorImageCheck> => {
          // A tagged image is resolved by its tag, as a pod spec names it; else by digest.
          const ref: ImageReference =
            image.target.tag !== undefined
              ? {
                  registry: image.target.registry,
                  repository: image.target.repository,
                  tag: image.target.tag,
                }
              : image.target;
          const found = await client.headManifest(ref);
          const expected = image.descriptor.digest;
          const actual = found?.digest ?? null;
          const check = { ref: image.source, target: formatReference(ref), expected, actual };
          if (actual === null) return { ...check, status: 'missing' };
          if (actual !== expected) return { ...check, status: 'digest-differs' };
          const missing = await missingAtMirror(mirror, ref, image.descriptor, limit);
          return missing.length === 0
            ? { ...check, status: 'present' }
            : { ...check, status: 'incomplete', missing };
        }),
      ),
    );
  } finally {
    await client.close();
  }
}

/**
 * The error a failed check ends with; it carries the report for --json.
 * Its details name the bundle and the mirror, for the command to re-run.
 */
export class MirrorCheckError extends BmpackError {
  readonly report: MirrorCheckReport;

  constructor(report: MirrorCheckReport, privateRegistry: string, source: string) {
    const bad = report.images.filter((i) => i.status !== 'present');
    const wrongHosts = report.config?.hosts.filter((h) => h.status !== 'ok') ?? [];
    const parts: string[] = [];
    if (bad.length > 0) {
      const list = bad.map((i) => `${i.ref} (${notServed(i)})`);
      parts.push(
        `the mirror ${report.mirror} does not serve ${bad.length} of ${report.images.length} images: ${list.join('; ')}`,
      );
    }
    if (report.config !== undefined && !report.config.ok) {
      const list = [
        ...report.config.problems,
        ...wrongHosts.map((h) => `${h.host} ${h.status}: ${h.problems.join('; ')}`),
      ];
      parts.push(
        `${report.config.path} does not send every registry to the mirror: ${list.join(' | ')}`,
      );
    }
    const hint =
      bad.length > 0
        ? `Push the bundle ${source} to ${privateRegistry} again; until then containerd falls back to the public registry for these, which fails in an air-gapped site.`
        : `Regenerate the mirror configuration from the bundle ${source} for ${privateRegistry} and install it on the nodes.`;
    super(bad.length > 0 ? 'E_NOT_FOUND' : 'E_CONFIG_INVALID', parts.join('. '), {
      hint,
      reason: bad.length > 0 ? 'mirror-images-not-served' : 'mirror-config-wrong',
      details: {
        images: report.images.length,
        notServed: bad.length,
        hostsWrong: wrongHosts.length,
        source,
        privateRegistry,
      },
    });
    this.report = report;
  }
}

/** Why the mirror does not serve an image, in a few words. */
function notServed(i: MirrorImageCheck): string {
  if (i.status === 'missing') return `missing at ${i.target}`;
  if (i.status === 'incomplete') {
    const missing = i.missing ?? [];
    return `incomplete at ${i.target}: ${missing.length} of its manifests and blobs are missing, first ${missing[0] ?? ''}`;
  }
  return `digest differs at ${i.target}: ${i.actual ?? ''}, bundle has ${i.expected}`;
}
