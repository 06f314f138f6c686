/**
 * Blob push (distribution-spec "Pushing blobs"): existence check, upload
 * sessions, monolithic PUT or chunked PATCH, and cross-repository mount.
 *
 * - POST opens a session; its Location (absolute or relative, and carrying
 *   `_state` on distribution) is used as given, with `digest` added to its
 *   existing query (the spec: Locations "SHOULD NOT be assembled manually").
 * - Each PATCH answers with the Location for the next one.
 * - Bytes are verified as they are sent: a source that does not match its
 *   descriptor fails before the closing PUT, so nothing is committed.
 * - A refused mount (any error answer rather than a 201 or a 202 session)
 *   falls back to a plain upload, and the registry is not asked to mount
 *   again in this run (UploadFallbacks).
 * - A refused PATCH (405, 413, 416 or BLOB_UPLOAD_INVALID) falls back to a
 *   single streamed PUT of that blob, and to single PUTs from then on for
 *   that registry ("Pushing a blob monolithically").
 * - A failed chunked upload resumes where the registry says its session
 *   stands ("Resuming an upload": GET of the session, 204 with `Range: 0-N`);
 *   the source is read again from the start so that the digest covers the
 *   whole blob, and only the bytes past N are sent. Otherwise the upload is
 *   restarted from the beginning with a fresh session and source.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { repositoryScope } from './auth/scope.js';
import { blobPath, repoName, type RepositoryRef } from './endpoint.js';
import { header } from './http/headers.js';
import { isTransientNetworkError } from './http/network-errors.js';
import { backoffDelay, defaultRetryPolicy, isRetryableStatus } from './http/retry-policy.js';
import { retriesSpent, triedError } from './http/retrying.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';
import { UploadFallbacks } from './upload-fallbacks.js';
import { PatchRefused, sendContent, type BlobBody } from './upload-content.js';

export type { BlobBody } from './upload-content.js';
import { cancelSession, openSession, uploadStatus } from './upload-session.js';

/** How blobs go up to a registry, whatever the blob. */
export interface UploadSettings {
  /**
   * Blobs larger than this go up in PATCH chunks of this size; 0 sends every
   * blob as one streamed PUT. Default 64 MiB.
   */
  readonly chunkSize?: number;
}

/** The upload settings among a command's options (push images, image copy). */
export function uploadSettings(o: UploadSettings): UploadSettings {
  return o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {};
}

export interface UploadOptions extends UploadSettings {
  /** Try a cross-repository mount from this repository (same registry) first. */
  readonly mountFrom?: string;
  readonly onBytes?: (n: number) => void;
}

export type UploadResult = 'uploaded' | 'mounted';

export const defaultChunkSize = 64 * 1024 * 1024;

/** The blob's size at the registry, or undefined when it is absent. */
export async function headBlob(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
): Promise<number | undefined> {
  const what = `blob ${digest} of ${repoName(repo)}`;
  const res = await rq.send({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull'])],
    method: 'HEAD',
    target: blobPath(repo, digest),
    what,
    followRedirects: true,
  });
  await res.body.dump();
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) throw await responseError(res, { what, registry: repo.registry });
  const size = Number(header(res.headers, 'content-length'));
  return Number.isSafeInteger(size) ? size : 0;
}

/**
 * Ask the registry to mount `digest` from repository `from`. True when
 * mounted (201); false when the registry started an upload instead (202),
 * whose session is then cancelled.
 */
export async function mountBlob(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
  from: string,
  learnt: UploadFallbacks = new UploadFallbacks(),
): Promise<boolean> {
  const session = await learnt.attempt(
    'mount',
    repo.registry,
    () => openSession(rq, repo, digest, { from }),
    isRefusal,
  );
  if (session === 'mounted') return true;
  if (session !== undefined) await cancelSession(rq, repo, session);
  return false;
}

export async function uploadBlob(
  rq: Requester,
  repo: RepositoryRef,
  desc: Descriptor,
  open: () => BlobBody,
  opts: UploadOptions = {},
  learnt: UploadFallbacks = new UploadFallbacks(),
): Promise<UploadResult> {
  const policy = rq.retry.policy ?? defaultRetryPolicy;
  /** The upload session in progress, at its latest Location (the registry's `_state` moves). */
  const current: { location?: URL } = {};
  for (let attempt = 1; ; attempt++) {
    const chunkSize = learnt.refuses('chunks', repo.registry)
      ? 0
      : (opts.chunkSize ?? defaultChunkSize);
    const chunked = chunkSize > 0 && desc.size > chunkSize;
    // A chunked session cut short goes on where the registry says it stands.
    const resume =
      attempt > 1 && chunked && current.location !== undefined
        ? await uploadStatus(rq, repo, current.location, desc.size)
        : undefined;
    if (resume === undefined) delete current.location;
    try {
      let session: URL;
      if (resume !== undefined) {
        session = resume.location;
      } else {
        const opened = await openUpload(rq, repo, desc.digest, opts.mountFrom, learnt);
        if (opened === 'mounted') return 'mounted';
        session = opened;
      }
      current.location = session;
      await sendContent(
        rq,
        repo,
        desc,
        { url: session, offset: resume?.offset ?? 0, chunkSize: chunked ? chunkSize : 0 },
        open(),
        learnt,
        opts.onBytes,
        (l) => {
          current.location = l;
        },
      );
      return 'uploaded';
    } catch (err) {
      if (rq.retry.signal?.aborted === true) {
        // Interrupted: leave no half-written upload at the registry.
        if (current.location !== undefined) await cancelSession(rq, repo, current.location, true);
        throw err instanceof PatchRefused ? err.refusal : err;
      }
      if (err instanceof PatchRefused) {
        // Not a failure of this attempt: the same blob again, as one PUT in a
        // fresh session. A PATCH refused after a resume may only mean the
        // session's state was stale: then start over, chunked, once more.
        if (current.location !== undefined) await cancelSession(rq, repo, current.location);
        delete current.location;
        if (resume === undefined) learnt.refuse('chunks', repo.registry);
        attempt--;
        continue;
      }
      // A 5xx or 429 answer to the upload itself is worth a fresh session;
      // a request that failed its own retries is not tried again.
      if (!worthAnotherUpload(err)) throw namingBlob(err, desc, repo);
      if (attempt >= policy.attempts)
        throw namingBlob(attempt > 1 ? triedError(err, attempt) : err, desc, repo);
      const delayMs =
        retryAfterOf(err, policy.maxRetryAfterMs) ??
        backoffDelay(attempt, policy, rq.retry.random ?? Math.random);
      rq.retry.onRetry?.({
        what: `upload of ${desc.digest} to ${repoName(repo)}`,
        attempt,
        delayMs,
        reason: String(err),
      });
      // Ctrl-C ends the wait at once.
      await delay(delayMs, undefined, rq.retry.signal ? { signal: rq.retry.signal } : {});
    }
  }
}

/**
 * Open an upload session, with a mount first when asked and the registry
 * has not refused one in this run. An error answer to the mount
 * (distribution-spec "Mounting a blob from another repository": 401, 403,
 * 404, 405, any 4xx or 5xx rather than 201 or 202) is a refusal: the blob
 * goes up plainly, and this registry is not asked to mount again.
 */
async function openUpload(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
  mountFrom: string | undefined,
  learnt: UploadFallbacks,
): Promise<URL | 'mounted'> {
  const mounted =
    mountFrom !== undefined
      ? await learnt.attempt(
          'mount',
          repo.registry,
          () => openSession(rq, repo, digest, { from: mountFrom }),
          isRefusal,
        )
      : undefined;
  return mounted ?? openSession(rq, repo, digest);
}

/** An error answer of the registry (a status), rather than a failed connection or an interrupt. */
function isRefusal(err: unknown): boolean {
  return err instanceof BmpackError && typeof err.details.status === 'number';
}

/** The wait a 429 or 503 asked for (Retry-After), when it is one the policy accepts. */
function retryAfterOf(err: unknown, maxMs: number): number | undefined {
  const ms = err instanceof BmpackError ? err.details.retryAfterMs : undefined;
  return typeof ms === 'number' && ms <= maxMs ? ms : undefined;
}

function worthAnotherUpload(err: unknown): boolean {
  if (retriesSpent(err)) return false;
  if (isTransientNetworkError(err)) return true;
  const status = err instanceof BmpackError ? err.details.status : undefined;
  return typeof status === 'number' && isRetryableStatus(status);
}

/** Errors of the connection itself name only a URL (src/registry/http/network-errors.ts). */
const connectionErrors = new Set(['E_NETWORK', 'E_STALLED', 'E_TLS']);

/**
 * `err` with the blob and repository in front when it is a connection error;
 * the registry's answers already name the blob (every request's `what` does).
 */
function namingBlob(err: unknown, desc: Descriptor, repo: RepositoryRef): unknown {
  if (!(err instanceof BmpackError) || !connectionErrors.has(err.code)) return err;
  return new BmpackError(
    err.code,
    `upload of ${desc.digest} to ${repoName(repo)}: ${err.message}`,
    {
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
      cause: err,
      details: err.details,
    },
  );
}
