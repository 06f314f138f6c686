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

/** Seconds to fetch every blob once from `origin` (paths `/v2/PREFIX+repo/blobs/DIGEST`). */
export async function servingFloor(
  origin: string,
  blobs: readonly FloorBlob[],
  prefix = '',
): Promise<number> {
  const pool = new Pool(origin, { connections: floorConnections });
  const limit = pLimit(floorConnections);
  const started = performance.now();
  try {
    await Promise.all(
      blobs.map((b) =>
        limit(async () => {
          const path = `/v2/${prefix}${b.repo}/blobs/${b.digest}`;
          const res = await pool.request({ method: 'GET', path });
          let n = 0;
          for await (const chunk of res.body) n += (chunk as Buffer).length;
          if (res.statusCode !== 200 || n !== b.size)
            throw new Error(`${path}: ${res.statusCode}, ${n} bytes`);
        }),
      ),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await pool.close();
  }
}

/** Seconds to upload every blob once (`read` gives its bytes) into `repo`, monolithic POST + PUT. */
export async function ingestFloor(
  origin: string,
  repo: string,
  blobs: readonly FloorBlob[],
  read: (b: FloorBlob) => Readable | Buffer,
): Promise<number> {
  const pool = new Pool(origin, { connections: floorConnections });
  const limit = pLimit(floorConnections);
  const started = performance.now();
  try {
    await Promise.all(
      blobs.map((b) =>
        limit(async () => {
          const post = await pool.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
          await post.body.dump();
          const location = String(post.headers.location ?? '');
          const url = new URL(location, origin);
          url.searchParams.set('digest', b.digest);
          const put = await pool.request({
            method: 'PUT',
            path: `${url.pathname}${url.search}`,
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(b.size),
            },
            body: read(b),
          });
          await put.body.dump();
          if (put.statusCode !== 201) throw new Error(`upload of ${b.digest}: ${put.statusCode}`);
        }),
      ),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await pool.close();
  }
}
