/**
 * `bmpack image copy SRC DST`: images between registries, OCI layout
 * directories and bundles (read only), through the one copy engine —
 * every digest kept (an index is copied whole unless platforms are asked
 * for), each blob sent once, a second run sending nothing.
 */
import { openBundleSource } from '../bundle-reader/index.js';
import {
  copyImages,
  engineOptions,
  type CopyCounts,
  type EngineOptions,
  type PlanSummary,
} from '../copy/index.js';
import { secondsSince } from '../seconds-since.js';
import type { PlatformSpec } from '../oci/platform.js';
import type { CredentialStore } from '../registry/auth/credentials/index.js';
import { uploadSettings, type UploadSettings } from '../registry/blob-upload.js';
import { RegistryClient } from '../registry/client.js';
import { fallbackMessage } from '../registry/upload-fallbacks.js';
import type { HostOptions } from '../registry/http/host-options.js';
import {
  BundleImageSource,
  LayoutDirSink,
  LayoutDirSource,
  RegistrySink,
  RegistrySource,
  type ImageSink,
  type ImageSource,
} from '../store/index.js';
import { parseImageLocation, type ImageLocation } from '../reference/index.js';
import { copyRegistries, copyRequests } from './copy-requests.js';

export interface ImageCopyOptions extends EngineOptions, UploadSettings {
  /** `docker://REF`, `oci:DIR[:NAME]` or `bundle:FILE[:NAME]`. */
  readonly source: string;
  /** `docker://REF` (or `docker://HOST[:PORT][/NAMESPACE]` with `all`), or `oci:DIR[:NAME]`. */
  readonly destination: string;
  /** Every image a bundle or layout lists. */
  readonly all?: boolean;
  readonly platforms?: readonly PlatformSpec[];
  /** TLS and plain-HTTP settings for every registry the copy talks to… */
  readonly host?: HostOptions;
  /** …except the source registry, when these are given. */
  readonly sourceHost?: HostOptions;
  readonly credentials?: CredentialStore;
  readonly signal?: AbortSignal;
}

export interface ImageCopyResult extends CopyCounts {
  readonly source: string;
  readonly destination: string;
  /** Each image copied whole: its destination name and the digest it points at. */
  readonly images: ReadonlyArray<{ readonly name: string; readonly digest: string }>;
  readonly seconds: number;
  readonly warnings: readonly string[];
  readonly plan?: PlanSummary;
}

export async function copyImage(o: ImageCopyOptions): Promise<ImageCopyResult> {
  const started = performance.now();
  const src = parseImageLocation(o.source);
  const dst = parseImageLocation(o.destination);
  const registries = copyRegistries(src, dst, o.all === true);
  const client = new RegistryClient({
    hosts: {
      ...(registries.source !== undefined
        ? { [registries.source]: o.sourceHost ?? o.host ?? {} }
        : {}),
      ...(registries.destination !== undefined ? { [registries.destination]: o.host ?? {} } : {}),
    },
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onRetry: (e) => o.onEvent?.({ type: 'retry', ...e }),
    onFallback: (feature, registry, cause) =>
      o.onEvent?.({ type: 'warning', message: fallbackMessage(feature, registry, cause) }),
  });
  const closing: Array<() => Promise<void>> = [() => client.close()];
  try {
    const source = await openSource(src, client);
    closing.unshift(() => source.close());
    const plan = copyRequests(src, dst, source.images, {
      all: o.all === true,
      ...(o.platforms !== undefined ? { platforms: o.platforms } : {}),
    });
    for (const message of plan.warnings) o.onEvent?.({ type: 'warning', message });
    const sink = await openSink(dst, client, plan.registry, o.dryRun !== true, uploadSettings(o));
    closing.unshift(() => sink.close());
    const outcome = await copyImages(plan.requests, source, sink, {
      ...engineOptions(o),
      incomplete: { code: 'E_COPY_INCOMPLETE', verb: 'copied' },
    });
    return {
      source: o.source,
      destination: o.destination,
      images: outcome.copied,
      ...outcome.counts,
      seconds: secondsSince(started),
      warnings: plan.warnings,
      ...(outcome.plan !== undefined ? { plan: outcome.plan } : {}),
    };
  } finally {
    for (const close of closing) await close();
  }
}

async function openSource(l: ImageLocation, client: RegistryClient): Promise<ImageSource> {
  if (l.transport === 'docker') return new RegistrySource(client);
  if (l.transport === 'oci') return LayoutDirSource.open(l.path);
  return new BundleImageSource(await openBundleSource(l.path));
}

async function openSink(
  l: ImageLocation,
  client: RegistryClient,
  registry: string | undefined,
  write: boolean,
  upload: UploadSettings,
): Promise<ImageSink> {
  if (l.transport === 'oci') return LayoutDirSink.open(l.path, write);
  return new RegistrySink(client, registry ?? '', upload);
}
