/**
 * An upload's bytes (distribution-spec "Pushing a blob in chunks" and
 * "Pushing a blob monolithically"): PATCH pieces or one PUT, verified
 * against the descriptor as they are sent, so that a source that does not
 * match fails before the closing PUT and nothing is committed.
 */
import { Readable } from 'node:stream';
import { ContentVerifier } from '../content/verifier.js';
import { recycleReadBuffer } from '../fs/read-buffers.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { PieceReader, pieceSizes } from './chunked-source.js';
import { repoName, type RepositoryRef } from './endpoint.js';
import { header } from './http/headers.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';
import { UploadFallbacks } from './upload-fallbacks.js';

import { nextLocation, pushScopes } from './upload-session.js';

/**
 * Where an upload's bytes come from: a stream, or an async generator (a
 * bundle's blob), which goes to the HTTP client as the request body with
 * no stream in between.
 */
export type BlobBody = Readable | AsyncGenerator<Uint8Array, void, undefined>;

/**
 * A PATCH the registry will not take (distribution-spec "Pushing a blob in
 * chunks"): 405 (no chunked uploads), 413 (body too large, often an
 * ingress), 416 (range not accepted) or BLOB_UPLOAD_INVALID. Internal: the
 * upload loop answers it with a single PUT.
 */
export class PatchRefused extends Error {
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

/** Where the bytes go: the session, how much of the blob it holds, the PATCH size (0: one PUT). */
export interface Destination {
  readonly url: URL;
  readonly offset: number;
  readonly chunkSize: number;
}

export async function sendContent(
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
  const checked = verifying(source, verifier, to.offset, onBytes, to.chunkSize === 0);
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
      // The registry answered: it has every byte, so the last piece is off the socket too.
      checked.sent();
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
  /** The request was answered: every piece is off the socket. */
  sent(): void;
}

/**
 * The source's bytes through the verifier, as a request body. The digest
 * is checked after the last byte but before the body ends, so a
 * mismatching blob never completes its PUT.
 *
 * With `recycle` (one request takes the whole body), each piece's memory
 * is given back (src/fs/read-buffers.ts) two pieces later: undici's
 * iterable body asks for the next piece only after socket.write took this
 * one and, when the socket's buffer was over its mark, after 'drain'; so
 * once piece n+1 is asked for, piece n-1 has left the socket's buffer.
 * The last piece goes back once the registry has answered.
 */
function verifying(
  source: BlobBody,
  verifier: ContentVerifier,
  /** Bytes the registry already holds: not counted as sent. */
  held: number,
  onBytes: ((n: number) => void) | undefined,
  recycle: boolean,
): CheckedBody {
  let failed: unknown;
  let unsent = held;
  let behind: Uint8Array | undefined;
  let last: Uint8Array | undefined;
  async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        verifier.update(chunk);
        const skipped = Math.min(unsent, chunk.length);
        unsent -= skipped;
        if (chunk.length > skipped) onBytes?.(chunk.length - skipped);
        yield chunk;
        if (recycle && behind !== undefined) recycleReadBuffer(behind);
        [behind, last] = [last, chunk];
      }
      verifier.finish();
    } catch (err) {
      failed = err;
      throw err;
    }
  }
  const sent = (): void => {
    if (!recycle) return;
    for (const piece of [behind, last]) if (piece !== undefined) recycleReadBuffer(piece);
    behind = last = undefined;
  };
  return { body: body(), failure: () => failed, sent };
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
