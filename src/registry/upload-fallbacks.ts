/**
 * What a run learns about how each registry takes blob uploads, so that a
 * refusal is met once per registry and not again for every blob: a
 * registry that refuses cross-repository mounts (distribution-spec
 * "Mounting a blob from another repository") gets plain uploads; one that
 * refuses chunked uploads (distribution-spec "Pushing a blob in chunks":
 * PATCH refused, 413 or 416) gets single streamed PUTs (distribution-spec
 * "Pushing a blob monolithically"). Kept per registry host on the
 * RegistryClient, for that client's life (one run).
 *
 * Until a registry has answered one mount (or one PATCH), that first one
 * goes alone and the others wait for its answer, so that a registry that
 * refuses is asked once, not once per parallel upload.
 */

import { BmpackError } from '../errors.js';

/** What a registry may refuse: a mount, or a chunk (PATCH). */
export type UploadFeature = 'mount' | 'chunks';

/** Told once per registry and feature, when the registry first refuses it. */
export type FallbackListener = (feature: UploadFeature, registry: string, cause: unknown) => void;

export class UploadFallbacks {
  constructor(private readonly onFallback?: FallbackListener) {}

  private readonly refused = new Set<string>();
  private readonly told = new Set<string>();
  private readonly accepted = new Set<string>();
  private readonly probes = new Map<string, Promise<void>>();

  /** Whether `registry` refused `feature` in this run. */
  refuses(feature: UploadFeature, registry: string): boolean {
    return this.refused.has(key(feature, registry));
  }

  refuse(feature: UploadFeature, registry: string): void {
    this.refused.add(key(feature, registry));
  }

  /**
   * `ask` (a mount, a PATCH) unless `registry` refused `feature`: undefined
   * when it did, before or now (`isRefusal` says which errors are refusals;
   * others are thrown). The first ask to a registry goes alone.
   */
  async attempt<T>(
    feature: UploadFeature,
    registry: string,
    ask: () => Promise<T>,
    isRefusal: (err: unknown) => boolean,
  ): Promise<T | undefined> {
    const k = key(feature, registry);
    for (let probe = this.probes.get(k); probe !== undefined; probe = this.probes.get(k)) {
      await probe;
    }
    if (this.refused.has(k)) return undefined;
    const answer = ask();
    if (!this.accepted.has(k)) {
      const settled = answer.then(
        () => {
          this.accepted.add(k);
        },
        (err: unknown) => {
          if (isRefusal(err)) this.refused.add(k);
        },
      );
      const probe = settled.finally(() => this.probes.delete(k));
      this.probes.set(k, probe);
    }
    try {
      return await answer;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      this.refused.add(k);
      if (!this.told.has(k)) {
        this.told.add(k);
        this.onFallback?.(feature, registry, err);
      }
      return undefined;
    }
  }
}

const key = (feature: UploadFeature, registry: string): string => `${feature} ${registry}`;

/** The warning for a fallback, in words for the user. */
export function fallbackMessage(feature: UploadFeature, registry: string, cause: unknown): string {
  const status = cause instanceof BmpackError ? cause.details.status : undefined;
  const answered = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return feature === 'mount'
    ? `${registry} refused a cross-repository mount${answered}: blobs it holds in another repository are uploaded again, for the rest of this run`
    : `${registry} refused a chunked upload${answered}: every blob goes up as one PUT, for the rest of this run`;
}
