/**
 * Blob GET (distribution-spec "Pulling blobs"), streamed and verified as the
 * bytes pass. A connection that breaks mid-blob is resumed with
 * `Range: bytes=<offset>-` (RFC 9110 §14); a server that ignores Range and
 * answers 200 has the first <offset> bytes skipped, as containerd does.
 * The digest is checked over the whole blob at the end.
 */
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ContentVerifier } from '../content/verifier.js';
import { BmpackError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { repositoryScope } from './auth/scope.js';
import { blobPath, repoName, type RepositoryRef } from './endpoint.js';
import { header } from './http/headers.js';
import { isTransientNetworkError } from './http/network-errors.js';
import { backoffDelay, defaultRetryPolicy } from './http/retry-policy.js';
import { retriesSpent, triedError } from './http/retrying.js';
import type { HttpResponse } from './http/transport.js';
import type { Requester } from './requester.js';
import { responseError } from './http/response-errors.js';
import { asBuffer } from '../content/as-buffer.js';

export interface BlobReadOptions {
  /** Called with the number of new bytes as they arrive. */
  readonly onBytes?: (n: number) => void;
  /** False: check the size only; the caller hashes the bytes and checks the digest. */
  readonly verify?: boolean;
}

/** A readable stream of the blob's bytes; it errors on any mismatch. */
export function openBlob(
  rq: Requester,
  repo: RepositoryRef,
  desc: Descriptor,
  opts: BlobReadOptions = {},
): Readable {
  return Readable.from(blobChunks(rq, repo, desc, opts), { objectMode: false });
}

/**
 * The blob's bytes as pieces, verified as they pass (the size only with
 * `verify: false`): the last piece comes only after the check.
 */
export async function* blobChunks(
  rq: Requester,
  repo: RepositoryRef,
  desc: Descriptor,
  opts: BlobReadOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const what = `blob ${desc.digest} of ${repoName(repo)}`;
  const verifier = new ContentVerifier(desc, what, { digest: opts.verify !== false });
  const policy = rq.retry.policy ?? defaultRetryPolicy;
  let failures = 0;
  for (;;) {
    const offset = verifier.bytesSeen;
    try {
      const res = await request(rq, repo, desc, offset, what);
      let skip = await startOffset(res, offset, what, repo.registry);
      for await (const chunk of res.body) {
        let buf = asBuffer(chunk);
        if (skip > 0) {
          const drop = Math.min(skip, buf.length);
          skip -= drop;
          buf = buf.subarray(drop);
          if (buf.length === 0) continue;
        }
        verifier.update(buf);
        opts.onBytes?.(buf.length);
        yield buf;
      }
      if (verifier.bytesSeen >= desc.size) break;
      throw new BmpackError(
        'E_NETWORK',
        `${what}: connection closed after ${verifier.bytesSeen} of ${desc.size} bytes`,
      );
    } catch (err) {
      const progressed = verifier.bytesSeen > offset;
      if (progressed) failures = 0;
      // A request that failed its own retries is not tried again: the
      // attempts would multiply, and the error already says how often.
      if (retriesSpent(err) || !isTransientNetworkError(err) || rq.retry.signal?.aborted === true)
        throw err;
      if (++failures >= policy.attempts) throw failures > 1 ? triedError(err, failures) : err;
      const delayMs = backoffDelay(failures, policy, rq.retry.random ?? Math.random);
      rq.retry.onRetry?.({
        what,
        attempt: failures,
        delayMs,
        reason: `resuming at byte ${verifier.bytesSeen}`,
      });
      // Ctrl-C ends the wait at once.
      await delay(delayMs, undefined, rq.retry.signal ? { signal: rq.retry.signal } : {});
    }
  }
  verifier.finish();
}

function request(
  rq: Requester,
  repo: RepositoryRef,
  desc: Descriptor,
  offset: number,
  what: string,
): Promise<HttpResponse> {
  return rq.send({
    registry: repo.registry,
    scopes: [repositoryScope(repo.repository, ['pull'])],
    method: 'GET',
    target: blobPath(repo, desc.digest),
    headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    what,
    followRedirects: true,
  });
}

/** How many leading bytes of the response to drop to continue at `offset`. */
async function startOffset(
  res: HttpResponse,
  offset: number,
  what: string,
  registry: string,
): Promise<number> {
  if (res.statusCode === 200) return offset;
  if (res.statusCode === 206 && offset > 0) {
    const start = /^bytes (\d+)-/.exec(header(res.headers, 'content-range') ?? '')?.[1];
    if (start !== undefined && Number(start) === offset) return 0;
    await res.body.dump();
    throw new BmpackError(
      'E_REGISTRY',
      `${what}: the registry answered a resume at byte ${offset} with the wrong range`,
      {
        hint: 'The registry or a proxy mishandles Range requests.',
      },
    );
  }
  throw await responseError(res, { what, registry });
}
