/**
 * The read side of the OCI distribution spec over a bundle ("Pull",
 * "Content discovery"): /v2/, _catalog and tags/list with n/last and Link,
 * manifests and blobs by HEAD and GET (blobs with Range, 206), the
 * referrers API, errors in the spec's JSON form, UNSUPPORTED for every write.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { recycleReadBuffer } from '../fs/read-buffers.js';
import type { ImageSource } from '../store/index.js';
import { anyRepository } from '../store/index.js';
import type { Descriptor } from '../oci/descriptor.js';
import { MediaType } from '../oci/media-types.js';
import { page, type Catalogue } from './catalogue.js';

const apiHeader = { 'docker-distribution-api-version': 'registry/2.0' };

/** Where the read side finds a blob's bytes: the bundles served, or the embedded registry's store. */
export interface BlobReader {
  holds(digest: string): boolean;
  open(
    digest: string,
    size: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array>;
}

/** The bundles' blobs: each from the first bundle that holds it. */
export function bundleBlobs(sources: readonly ImageSource[]): BlobReader {
  return {
    holds: (digest) => sources.some((s) => s.holds(digest)),
    open: (digest, size, range) => {
      const source = sources.find((s) => s.holds(digest));
      if (source === undefined) throw new Error(`no bundle holds ${digest}`);
      const desc = { mediaType: 'application/octet-stream', digest, size };
      return source.openBlob(anyRepository, desc, range);
    },
  };
}

export function registryHandler(
  catalogue: Catalogue,
  blobs: BlobReader,
  /** Answer the referrers API (a store that cannot list referrers answers 404, as registries without it do). */
  referrersApi = true,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://serve');
    const path = url.pathname;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (!read) {
      registryError(res, 405, 'UNSUPPORTED', 'this registry is read-only');
      return;
    }
    if (path === '/v2/' || path === '/v2') {
      json(res, req, {});
      return;
    }
    if (path === '/v2/_catalog') {
      list(res, req, url, [...catalogue.keys()], 'repositories');
      return;
    }
    const m =
      /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+)|blobs\/([^/]+)|referrers\/([^/]+))$/.exec(path);
    const repo = m?.[1] !== undefined ? catalogue.get(m[1]) : undefined;
    if (m === null || m[1] === undefined) {
      registryError(res, 404, 'NOT_FOUND', 'no such route');
      return;
    }
    if (repo === undefined) {
      registryError(res, 404, 'NAME_UNKNOWN', `repository ${m[1]} is not in the bundle`);
      return;
    }
    if (m[2] === 'tags/list') {
      list(res, req, url, [...repo.tags.keys()], 'tags', m[1]);
      return;
    }
    if (m[5] !== undefined && !referrersApi) {
      registryError(res, 404, 'NOT_FOUND', 'no referrers API here: use the referrers tag schema');
      return;
    }
    if (m[5] !== undefined) {
      referrers(res, req, url, repo.referrers.get(m[5]) ?? []);
      return;
    }
    if (m[3] !== undefined) {
      const digest = repo.tags.get(m[3]) ?? m[3];
      const manifest = repo.manifests.get(digest);
      if (manifest === undefined) {
        registryError(res, 404, 'MANIFEST_UNKNOWN', `no manifest ${m[3]} in ${m[1]}`);
        return;
      }
      if (repo.tags.has(m[3]) && !accepts(req.headers.accept, manifest.mediaType)) {
        registryError(
          res,
          404,
          'MANIFEST_UNKNOWN',
          `${m[1]}:${m[3]} is a ${manifest.mediaType}, which the Accept header does not list`,
        );
        return;
      }
      res.writeHead(200, {
        ...apiHeader,
        'content-type': manifest.mediaType,
        'content-length': manifest.bytes.length,
        'docker-content-digest': manifest.digest,
      });
      res.end(req.method === 'HEAD' ? undefined : manifest.bytes);
      return;
    }
    const digest = m[4] ?? '';
    const size = repo.blobs.get(digest) ?? repo.manifests.get(digest)?.bytes.length;
    if (size === undefined) {
      registryError(res, 404, 'BLOB_UNKNOWN', `no blob ${digest} in ${m[1]}`);
      return;
    }
    if (!blobs.holds(digest)) {
      registryError(res, 404, 'BLOB_UNKNOWN', `nothing served here holds ${digest}`);
      return;
    }
    await blob(req, res, blobs, digest, size);
  };
}

async function blob(
  req: IncomingMessage,
  res: ServerResponse,
  blobs: BlobReader,
  digest: string,
  size: number,
): Promise<void> {
  const range = parseRange(req.headers.range, size);
  if (range === 'invalid') {
    res.writeHead(416, { ...apiHeader, 'content-range': `bytes */${size}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size };
  res.writeHead(range === undefined ? 200 : 206, {
    ...apiHeader,
    'content-type': 'application/octet-stream',
    'content-length': end - start,
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    ...(range !== undefined ? { 'content-range': `bytes ${start}-${end - 1}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || end === start) {
    res.end();
    return;
  }
  const chunks = blobs.open(digest, size, range !== undefined ? { start, end } : undefined);
  await send(chunks, res).catch(() => {
    // The client went away, or the bundle failed mid-blob: the connection is cut, which is all it can be told.
    res.destroy();
  });
}

/** Write batches before the socket sees them: one writev per MiB, not a write per stored xz chunk. */
const batchBytes = 1024 * 1024;

/** The blob's bytes to the client, corked into batches, waiting whenever the socket is full. */
async function send(chunks: AsyncIterable<Uint8Array>, res: ServerResponse): Promise<void> {
  const gone = once(res, 'close');
  gone.catch(() => undefined);
  let batched = 0;
  res.cork();
  for await (const chunk of chunks) {
    if (res.destroyed) throw new Error('the client went away');
    // Once the socket has the bytes, their buffer may be read into again.
    const room = res.write(chunk, (err) => {
      if (err == null) recycleReadBuffer(chunk);
    });
    batched += chunk.length;
    if (batched < batchBytes && room) continue;
    res.uncork();
    batched = 0;
    if (!room) await Promise.race([once(res, 'drain'), gone]);
    res.cork();
  }
  res.uncork();
  res.end();
}

/**
 * Whether an Accept header takes `type` (RFC 9110 §12.5.1). A tag is
 * answered only in a type the client lists, as distribution does; no
 * header, `*\/*` or a digest reference take the stored type as it is.
 */
export function accepts(header: string | undefined, type: string): boolean {
  if (header === undefined || header.trim() === '') return true;
  return header
    .split(',')
    .map((t) => t.split(';')[0]?.trim().toLowerCase() ?? '')
    .some((t) => t === '*/*' || t === 'application/*' || t === type.toLowerCase());
}

/** RFC 9110 §14.1.2: one `bytes=a-b`, `a-` or `-n` range; anything else is served whole. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'invalid' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (m === null) return undefined;
  const [a, b] = [m[1] ?? '', m[2] ?? ''];
  if (a === '' && b === '') return 'invalid';
  if (a === '') return { start: Math.max(0, size - Number(b)), end: size };
  const start = Number(a);
  const end = b === '' ? size : Math.min(size, Number(b) + 1);
  return start < size && start < end ? { start, end } : 'invalid';
}

/**
 * distribution-spec "Listing Referrers": an image index of the descriptors
 * whose subject is the digest (empty when none), filtered by `artifactType`
 * with `OCI-Filters-Applied` saying so.
 */
function referrers(
  res: ServerResponse,
  req: IncomingMessage,
  url: URL,
  all: readonly Descriptor[],
): void {
  const type = url.searchParams.get('artifactType');
  const manifests = type === null ? all : all.filter((d) => d.artifactType === type);
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }),
  );
  res.writeHead(200, {
    ...apiHeader,
    'content-type': MediaType.ociIndex,
    'content-length': bytes.length,
    ...(type !== null ? { 'oci-filters-applied': 'artifactType' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function json(
  res: ServerResponse,
  req: IncomingMessage,
  body: object,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, {
    ...apiHeader,
    ...headers,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function list(
  res: ServerResponse,
  req: IncomingMessage,
  url: URL,
  names: readonly string[],
  field: 'repositories' | 'tags',
  name?: string,
): void {
  const nParam = url.searchParams.get('n');
  const n = nParam !== null && /^\d+$/.test(nParam) ? Number(nParam) : undefined;
  const { items, more } = page(names, n, url.searchParams.get('last') ?? undefined);
  const next = new URL(url.pathname, 'http://serve');
  if (n !== undefined) next.searchParams.set('n', String(n));
  next.searchParams.set('last', items.at(-1) ?? '');
  const link: Record<string, string> = more
    ? { link: `<${next.pathname}${next.search}>; rel="next"` }
    : {};
  json(res, req, name !== undefined ? { name, [field]: items } : { [field]: items }, link);
}

/** An error in the spec's JSON form (distribution-spec "Error Codes"). */
export function registryError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  res.writeHead(status, {
    ...apiHeader,
    ...headers,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  res.end(bytes);
}
