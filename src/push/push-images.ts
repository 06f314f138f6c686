/**
 * `bmpack push images`: replay a bundle into a (namespaced) private
 * registry straight from the archive, through the copy engine: map every
 * image to its target; the engine walks each, asks the registry what it
 * holds and moves only what it lacks. A delta bundle's missing blobs and
 * an incomplete push are reported in push's own words.
 */
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import {
  copyImages,
  engineOptions,
  type CopyCounts,
  type CopyRequest,
  type EngineOptions,
  type MissingBlob,
  type PlanSummary,
} from '../copy/index.js';
import { BmpackError } from '../errors.js';
import { formatReference, fallbackRepository } from '../reference/index.js';
import { secondsSince } from '../seconds-since.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { uploadSettings, type UploadSettings } from '../registry/blob-upload.js';
import { RegistryClient } from '../registry/client.js';
import { fallbackMessage } from '../registry/upload-fallbacks.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { BundleImageSource, RegistrySink } from '../store/index.js';
import { pushedReferrers, updateFallbackIndexes } from '../referrers/index.js';
import { parsePrivateRegistry } from './private-registry.js';
import { identityMapping, type PathMapping } from './repository-paths.js';
import { mapImages, type MappedImage } from './target-mapping.js';

export interface PushImagesOptions extends EngineOptions, UploadSettings {
  readonly source: string;
  readonly privateRegistry: string;
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  /** How source repository paths become target ones (rewrite rules, depth limit). */
  readonly paths?: PathMapping;
  readonly signal?: AbortSignal;
}

/** Where one image of the bundle goes. */
export interface PushedName {
  readonly source: string;
  readonly target: string;
}

export type PushCounts = CopyCounts;

export interface PushImagesResult extends PushCounts {
  readonly images: number;
  readonly seconds: number;
  readonly warnings: readonly string[];
  /** Every image's source and target name, in the bundle's order. */
  readonly mapping: readonly PushedName[];
  /** With --dry-run: what would be done. */
  readonly plan?: PlanSummary;
  /** Referrers tag schema indexes written or updated at the target (it has no referrers API). */
  readonly referrerIndexes?: readonly string[];
}

export const defaultPushConcurrency = 8;

export async function pushImages(o: PushImagesOptions): Promise<PushImagesResult> {
  const started = performance.now();
  const target = parsePrivateRegistry(o.privateRegistry);
  const client = new RegistryClient({
    hosts: { [target.registry]: o.host ?? {} },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: (e) => o.onEvent?.({ type: 'retry', ...e }),
    onFallback: (feature, registry, cause) =>
      o.onEvent?.({ type: 'warning', message: fallbackMessage(feature, registry, cause) }),
  });
  // The registry's ping runs while the bundle is opened.
  client.warmUp(target.registry);
  // Every blob's sha256 is verified as it is uploaded; the xz CRCs would be a second pass.
  const source = await openBundleSource(o.source, { containerChecks: false }).catch(
    async (err: unknown) => {
      await client.close();
      throw err;
    },
  );
  try {
    const mapping = mapImages(
      source.images,
      target,
      fallbackRepository(source.path),
      o.paths ?? identityMapping,
    );
    for (const message of mapping.warnings) o.onEvent?.({ type: 'warning', message });
    const outcome = await copyImages(
      mapping.images.map((image) => requestOf(image, source.path)),
      new BundleImageSource(source),
      new RegistrySink(client, target.registry, uploadSettings(o)),
      {
        ...engineOptions(o),
        missingError: (missing) => missingError(missing, source),
        incomplete: { code: 'E_PUSH_INCOMPLETE', verb: 'pushed' },
      },
    );
    const referrers =
      o.dryRun === true
        ? undefined
        : await updateFallbackIndexes(client, await pushedReferrers(source, mapping.images));
    return {
      images: outcome.images,
      ...outcome.counts,
      ...(outcome.plan !== undefined ? { plan: outcome.plan } : {}),
      seconds: secondsSince(started),
      warnings: mapping.warnings,
      mapping: mapping.images.map((i) => ({ source: i.source, target: formatReference(i.target) })),
      ...(referrers !== undefined && referrers.written.length > 0
        ? { referrerIndexes: referrers.written }
        : {}),
    };
  } finally {
    await client.close();
    await source.close();
  }
}

/** A bundle's image, going where the mapping says: by tag, or by digest when it has none. */
function requestOf(image: MappedImage, bundle: string): CopyRequest {
  const { target, descriptor } = image;
  return {
    name: formatReference(target),
    sourceName: image.source,
    where: `in ${bundle}`,
    from: image.from,
    top: descriptor,
    to: {
      repository: target.repository,
      ...(target.tag !== undefined ? { tag: target.tag } : {}),
    },
  };
}

function missingError(missing: readonly MissingBlob[], source: BundleSource): BmpackError {
  const base = source.metadata?.base;
  const list = missing.slice(0, 5).map((m) => `${m.digest} (used by ${m.images.join(', ')})`);
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
  const needs =
    base !== undefined
      ? `push the base bundle ${base.name} ${base.version} (sha256 ${base.sha256}) first`
      : 'push a bundle that contains them first';
  const delta = base !== undefined ? ` (it is a delta of ${base.name} ${base.version})` : '';
  return new BmpackError(
    'E_CLOSURE_MISSING',
    `${source.path}${delta} lacks ${missing.length} blobs that the target does not have either: ${list.join('; ')}${more}. Nothing was pushed.`,
    {
      hint: `${base !== undefined ? 'This is' : 'This looks like'} a delta bundle: ${needs}.`,
      details: { missing: missing.length },
    },
  );
}
