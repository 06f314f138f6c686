/**
 * The registries' own floors (issue 17), measured with the simplest client
 * that can do the work, eight keep-alive connections (undici Pool):
 * - serving: every blob fetched once and discarded;
 * - ingest: every blob uploaded once, one monolithic POST + PUT each, into
 *   one repository.
 */
import pLimit from 'p-limit';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';

export const floorConnections = 8;

export interface FloorBlob {
  /** The repository to fetch it from (serving floor). */
  readonly repo: string;
  readonly digest: string;
  readonly size: number;
}

/** Seconds to run `job` for every blob over the floor's keep-alive connections. */
async function overPool(
  origin: string,
  blobs: readonly FloorBlob[],
  job: (pool: Pool, b: FloorBlob) => Promise<void>,
): Promise<number> {
  const pool = new Pool(origin, { connections: floorConnections });
  const limit = pLimit(floorConnections);
  const started = performance.now();
  try {
    await Promise.all(blobs.map((b) => limit(() => job(pool, b))));
    return (performance.now() - started) / 1000;
  } finally {
    await pool.close();
  }
}

/** Seconds to fetch every blob once from `origin` (paths `/v2/PREFIX+repo/blobs/DIGEST`). */
export function servingFloor(
  origin: string,
  blobs: readonly FloorBlob[],
  prefix = '',
): Promise<number> {
  return overPool(origin, blobs, async (pool, b) => {
    const path = `/v2/${prefix}${b.repo}/blobs/${b.digest}`;
    const res = await pool.request({ method: 'GET', path });
    let n = 0;
    for await (const chunk of res.body) n += (chunk as Buffer).length;
    if (res.statusCode !== 200 || n !== b.size)
      throw new Error(`${path}: ${res.statusCode}, ${n} bytes`);
  });
}

/** Seconds to upload every blob once (`read` gives its bytes) into `repo`, monolithic POST + PUT. */
export function ingestFloor(
  origin: string,
  repo: string,
  blobs: readonly FloorBlob[],
  read: (b: FloorBlob) => Readable | Buffer,
): Promise<number> {
  return overPool(origin, blobs, (pool, b) => uploadBlob(pool, origin, repo, b, read(b)));
}

/** One blob into `repo` as one monolithic upload: POST, then PUT with `?digest=` and the bytes. */
export async function uploadBlob(
  pool: Pool,
  origin: string,
  repo: string,
  b: { readonly digest: string; readonly size: number },
  body: Readable | Buffer,
): Promise<void> {
  const post = await pool.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
  await post.body.dump();
  const url = new URL(String(post.headers.location ?? ''), origin);
  url.searchParams.set('digest', b.digest);
  const put = await pool.request({
    method: 'PUT',
    path: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.size) },
    body,
  });
  await put.body.dump();
  if (put.statusCode !== 201) throw new Error(`upload of ${b.digest}: ${put.statusCode}`);
}
