/**
 * `bmpack push images`: replay a bundle into a (namespaced) private
 * registry straight from the archive. Plan first — map every image, read
 * every closure, HEAD everything at the target, check that nothing is
 * missing — then move only what the target lacks.
 */
import { openBundleSource } from '../archive/index.js';
import type { BundleSource } from '../archive/bundle-source.js';
import {
  copyImages,
  type CopyCounts,
  type CopyRequest,
  type MissingBlob,
  type PlanSummary,
} from '../copy/index.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { formatReference } from '../reference/index.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { RegistryClient } from '../registry/client.js';
import type { HostOptions } from '../registry/http/host-options.js';
import { BundleImageSource, fallbackRepository, RegistrySink } from '../store/index.js';
import { parsePrivateRegistry } from './private-registry.js';
import { mapImages, type MappedImage } from './target-mapping.js';

export interface PushImagesOptions {
  readonly source: string;
  readonly privateRegistry: string;
  readonly host?: HostOptions;
  readonly credentials?: CredentialStore;
  readonly concurrency?: number;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: ProgressListener;
}

export type PushCounts = CopyCounts;

export interface PushImagesResult extends PushCounts {
  readonly images: number;
  readonly seconds: number;
  readonly warnings: readonly string[];
  /** With --dry-run: what would be done. */
  readonly plan?: PlanSummary;
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
    const mapping = mapImages(source.images, target, fallbackRepository(source.path));
    for (const message of mapping.warnings) o.onEvent?.({ type: 'warning', message });
    const outcome = await copyImages(
      mapping.images.map((image) => requestOf(image, source.path)),
      new BundleImageSource(source),
      new RegistrySink(client, target.registry),
      {
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.dryRun !== undefined ? { dryRun: o.dryRun } : {}),
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
        missingError: (missing) => missingError(missing, source),
      },
    );
    if (outcome.failed.length > 0) throw incompleteError(outcome.failed, outcome.images);
    return {
      images: outcome.images,
      ...outcome.counts,
      ...(outcome.plan !== undefined ? { plan: outcome.plan } : {}),
      seconds: Math.round((performance.now() - started) / 10) / 100,
      warnings: mapping.warnings,
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

function incompleteError(
  failed: ReadonlyArray<{ image: string; error: unknown }>,
  total: number,
): BmpackError {
  const first = failed[0]?.error;
  const reason = first instanceof Error ? first.message : String(first);
  return new BmpackError(
    'E_PUSH_INCOMPLETE',
    `${failed.length} of ${total} images were not pushed (nothing tagged for them): ${failed.map((f) => f.image).join(', ')}. First error: ${reason}`,
    {
      hint:
        first instanceof BmpackError && first.hint !== undefined
          ? first.hint
          : 'Fix the cause and run the same command again: what was pushed is kept and skipped.',
      cause: first,
    },
  );
}
