/**
 * A stand-in for blob storage behind a registry redirect (S3, a CDN): serves
 * registered bytes by path, with Range support, and records what it was asked
 * (notably whether an Authorization header leaked across the redirect).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import { listenLoopback } from './http-util.js';
import { trackServer } from './processes.js';

/** One request to the storage. */
export interface StorageRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: IncomingHttpHeaders;
}

/** A running static storage origin. */
export interface StaticStorage {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Serves `data` at `path` (query strings are ignored when matching). */
  put(path: string, data: Buffer): void;
  requests: StorageRequest[];
  stop(): Promise<void>;
}

/** Parses one `bytes=` range against `size`; undefined = unsatisfiable or malformed. */
function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return undefined;
  const [, from = '', to = ''] = m;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return undefined;
  return { start, end };
}

/** Starts a static storage origin on 127.0.0.1. */
export async function startStaticStorage(): Promise<StaticStorage> {
  const objects = new Map<string, Buffer>();
  const requests: StorageRequest[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    const data = objects.get(new URL(path, 'http://x').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (data === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const range = req.headers.range;
    const body = (status: number, bytes: Buffer, extra: Record<string, string> = {}): void => {
      res.writeHead(status, {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    };
    if (range === undefined) {
      body(200, data);
      return;
    }
    const r = parseRange(range, data.length);
    if (r === undefined) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      return;
    }
    body(206, data.subarray(r.start, r.end + 1), {
      'content-range': `bytes ${r.start}-${r.end}/${data.length}`,
    });
  });
  const handle = trackServer('static storage', server);
  const port = await listenLoopback(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    put(path, data) {
      objects.set(new URL(path, 'http://x').pathname, data);
    },
    requests,
    stop: () => handle.stop(),
  };
}
