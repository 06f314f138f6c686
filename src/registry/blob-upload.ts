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
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ContentVerifier } from '../content/verifier.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { repositoryScope } from './auth/scope.js';
import { PieceReader, pieceSizes } from './chunked-source.js';
import { blobPath, repoName, type RepositoryRef, uploadsPath } from './endpoint.js';
import { header } from './http/headers.js';
import { isTransientNetworkError } from './http/network-errors.js';
import { backoffDelay, defaultRetryPolicy, isRetryableStatus } from './http/retry-policy.js';
import { retriesSpent, triedError } from './http/retrying.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';
import { UploadFallbacks } from './upload-fallbacks.js';

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

/**
 * Where an upload's bytes come from: a stream, or an async generator (a
 * bundle's blob), which goes to the HTTP client as the request body with
 * no stream in between.
 */
export type BlobBody = Readable | AsyncGenerator<Uint8Array, void, undefined>;

export const defaultChunkSize = 64 * 1024 * 1024;

const pushScopes = (repo: RepositoryRef, from?: string): string[] => [
  repositoryScope(repo.repository, ['pull', 'push']),
  ...(from !== undefined && from !== repo.repository ? [repositoryScope(from, ['pull'])] : []),
];

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

/**
 * A PATCH the registry will not take (distribution-spec "Pushing a blob in
 * chunks"): 405 (no chunked uploads), 413 (body too large, often an
 * ingress), 416 (range not accepted) or BLOB_UPLOAD_INVALID. Internal: the
 * upload loop answers it with a single PUT.
 */
class PatchRefused extends Error {
  constructor(readonly refusal: unknown) {
    super(String(refusal));
  }
}

const patchRefusalStatuses = new Set([405, 413, 416]);

function isPatchRefusal(err: unknown): boolean {
  if (!(err instanceof BmpackError)) return false;
  const { status, registryCode } = err.details;
  return (
    (typeof status === 'number' && patchRefusalStatuses.has(status)) ||
    registryCode === 'BLOB_UPLOAD_INVALID'
  );
}

/**
 * Where an upload session stands (distribution-spec "Resuming an upload" /
 * "Get blob upload status": 204 with `Range: 0-N` and the Location to go on
 * at). Undefined when the registry cannot say, or holds nothing yet, or
 * holds no less than the blob: then the upload starts over.
 */
async function uploadStatus(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  size: number,
): Promise<{ location: URL; offset: number } | undefined> {
  const res = await rq
    .send({
      registry: repo.registry,
      scopes: pushScopes(repo),
      method: 'GET',
      target: url,
      what: `upload status in ${repoName(repo)}`,
    })
    .catch(() => undefined);
  if (res === undefined) return undefined;
  await res.body.dump();
  if (res.statusCode !== 204) return undefined;
  const range = /^0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
  // `0-0` is said of an empty session too: nothing worth resuming.
  const last = range?.[1] !== undefined ? Number(range[1]) : 0;
  if (last <= 0 || last + 1 >= size) return undefined;
  const location = header(res.headers, 'location');
  return { location: location !== undefined ? new URL(location, url) : url, offset: last + 1 };
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

/** POST a session (or a mount). Returns the upload URL, or 'mounted'. */
async function openSession(
  rq: Requester,
  repo: RepositoryRef,
  digest: string,
  mount?: { from: string },
): Promise<URL | 'mounted'> {
  const target = rq.resolve(repo.registry, uploadsPath(repo));
  if (mount !== undefined) {
    target.searchParams.set('mount', digest);
    target.searchParams.set('from', mount.from);
  }
  const what = mount
    ? `mount of ${digest} from ${mount.from} into ${repoName(repo)}`
    : `upload of ${digest} to ${repoName(repo)}`;
  const res = await rq.send({
    registry: repo.registry,
    scopes: pushScopes(repo, mount?.from),
    method: 'POST',
    target,
    headers: { 'content-length': '0' },
    body: '',
    what,
  });
  if (res.statusCode === 201 && mount !== undefined) {
    await res.body.dump();
    return 'mounted';
  }
  return nextLocation(res, target, what, repo.registry);
}

async function nextLocation(
  res: HttpResponse,
  requestUrl: URL,
  what: string,
  registry: string,
): Promise<URL> {
  if (res.statusCode !== 202) throw await responseError(res, { what, registry });
  await res.body.dump();
  const location = header(res.headers, 'location');
  if (location === undefined) {
    throw new BmpackError('E_REGISTRY', `${what}: the registry gave no upload Location`, {
      hint: 'The registry does not follow the distribution spec.',
    });
  }
  return new URL(location, requestUrl);
}

async function cancelSession(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  cleanup = false,
): Promise<void> {
  const res = await rq
    .send({
      registry: repo.registry,
      scopes: pushScopes(repo),
      method: 'DELETE',
      target: url,
      what: 'cancel upload',
      ...(cleanup ? { cleanup } : {}),
    })
    .catch(() => undefined);
  await res?.body.dump();
}

/** Where the bytes go: the session, how much of the blob it holds, the PATCH size (0: one PUT). */
interface Destination {
  readonly url: URL;
  readonly offset: number;
  readonly chunkSize: number;
}

async function sendContent(
  rq: Requester,
  repo: RepositoryRef,
  desc: Descriptor,
  to: Destination,
  source: BlobBody,
  learnt: UploadFallbacks,
  onBytes: ((n: number) => void) | undefined,
  /** Told each new Location, so that an interrupted session can be cancelled. */
  moved: (location: URL) => void,
): Promise<void> {
  const what = `blob ${desc.digest} to ${repoName(repo)}`;
  const verifier = new ContentVerifier(desc, what);
  const checked = verifying(source, verifier, to.offset, onBytes);
  try {
    if (to.chunkSize > 0) {
      const pieces = new PieceReader(checked.body);
      // The registry holds the first `offset` bytes: read (and hashed), not sent.
      if (to.offset > 0) await drain(pieces.next(to.offset));
      let location = to.url;
      let start = to.offset;
      for (const length of pieceSizes(desc.size - to.offset, to.chunkSize)) {
        const at = location;
        const send = (): Promise<URL> =>
          patch(rq, repo, at, pieces.next(length), start, length, what);
        // A fresh upload's first PATCH asks whether the registry takes chunks at all.
        const next =
          start === 0
            ? await learnt.attempt('chunks', repo.registry, send, (e) => e instanceof PatchRefused)
            : await send();
        if (next === undefined) throw new PatchRefused('chunked uploads refused earlier');
        location = next;
        moved(location);
        start += length;
      }
      verifier.finish();
      await put(rq, repo, location, desc.digest, undefined, what);
    } else {
      await put(rq, repo, to.url, desc.digest, checked.body, what, desc.size);
    }
  } catch (err) {
    // A failing source or a mismatch aborts the request; report the real cause.
    throw checked.failure() ?? err;
  } finally {
    stop(source);
  }
}

async function drain(body: AsyncGenerator<Uint8Array, void, undefined>): Promise<void> {
  for (let r = await body.next(); r.done !== true; r = await body.next());
}

/** Ends a source that was not read to its end (a generator mid-read finishes its step first). */
function stop(source: BlobBody): void {
  if (source instanceof Readable) source.destroy();
  else source.return(undefined).catch(() => undefined);
}

interface CheckedBody {
  readonly body: AsyncGenerator<Uint8Array, void, undefined>;
  /** What stopped the body: the source's error or a digest mismatch. */
  failure(): unknown;
}

/**
 * The source's bytes through the verifier, as a request body. The digest
 * is checked after the last byte but before the body ends, so a
 * mismatching blob never completes its PUT.
 */
function verifying(
  source: BlobBody,
  verifier: ContentVerifier,
  /** Bytes the registry already holds: not counted as sent. */
  held: number,
  onBytes?: (n: number) => void,
): CheckedBody {
  let failed: unknown;
  let unsent = held;
  async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        verifier.update(chunk);
        const skipped = Math.min(unsent, chunk.length);
        unsent -= skipped;
        if (chunk.length > skipped) onBytes?.(chunk.length - skipped);
        yield chunk;
      }
      verifier.finish();
    } catch (err) {
      failed = err;
      throw err;
    }
  }
  return { body: body(), failure: () => failed };
}

async function patch(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  body: AsyncGenerator<Uint8Array, void, undefined>,
  start: number,
  length: number,
  what: string,
): Promise<URL> {
  const res = await rq.send({
    registry: repo.registry,
    scopes: pushScopes(repo),
    method: 'PATCH',
    target: url,
    body,
    what,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(length),
      'content-range': `${start}-${start + length - 1}`,
    },
  });
  try {
    return await nextLocation(res, url, what, repo.registry);
  } catch (err) {
    throw isPatchRefusal(err) ? new PatchRefused(err) : err;
  }
}

async function put(
  rq: Requester,
  repo: RepositoryRef,
  url: URL,
  digest: string,
  body: AsyncGenerator<Uint8Array, void, undefined> | undefined,
  what: string,
  size = 0,
): Promise<void> {
  const target = new URL(url);
  target.searchParams.set('digest', digest);
  const res = await rq.send({
    registry: repo.registry,
    scopes: pushScopes(repo),
    method: 'PUT',
    target,
    body: body ?? '',
    what,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(body ? size : 0),
    },
  });
  if (res.statusCode === 413 && body !== undefined) throw await tooLarge(res, what, repo, size);
  if (res.statusCode !== 201) throw await responseError(res, { what, registry: repo.registry });
  await res.body.dump();
  const stored = header(res.headers, 'docker-content-digest');
  if (stored !== undefined && stored !== digest) {
    throw new BmpackError('E_DIGEST_MISMATCH', `${what}: the registry stored ${stored}`, {
      hint: 'The registry altered the blob.',
    });
  }
}

/**
 * A single PUT refused as too large: a body limit (an ingress's, often) that
 * chunks cannot get around either once PATCH is refused.
 */
async function tooLarge(
  res: HttpResponse,
  what: string,
  repo: RepositoryRef,
  size: number,
): Promise<BmpackError> {
  const err = await responseError(res, { what, registry: repo.registry });
  return new BmpackError('E_REGISTRY', err.message, {
    hint: `${repo.registry} (or a proxy or ingress in front of it, e.g. nginx client_max_body_size) takes no request body of ${size} bytes: raise that limit, or upload in chunks smaller than it where the registry takes PATCH.`,
    cause: err,
    details: err.details,
  });
}
