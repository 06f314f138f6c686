/**
 * The write side of the OCI distribution spec ("Push") for the embedded
 * registry: blob uploads — monolithic (POST with `?digest=`, or POST then
 * one PUT), chunked (POST, PATCHes in order, PUT with `?digest=`), and
 * cross-repository mounts (`?mount=&from=`) — their status and
 * cancellation, and manifest PUTs with distribution's checks. Everything
 * else is the read side's, which answers from the same store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDigest } from '../oci/descriptor.js';
import { LayoutRegistry, maxManifestBytes } from './layout-registry.js';
import { registryError, type BlobReader } from './registry-handler.js';
import { UploadSessions } from './upload-sessions.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const apiHeader = { 'docker-distribution-api-version': 'registry/2.0' };

/** The layout's store as the read side's blob reader (BlobCache ranges are inclusive). */
export function layoutBlobsReader(registry: LayoutRegistry): BlobReader {
  return {
    holds: () => true,
    open: (digest, _size, range) =>
      registry.store.open(
        digest,
        range !== undefined ? { start: range.start, end: range.end - 1 } : undefined,
      ),
  };
}

export function writeHandler(
  registry: LayoutRegistry,
  uploads: UploadSessions,
  read: Handler,
): Handler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://serve');
    const m = /^\/v2\/(.+)\/(blobs\/uploads\/([^/]*)|manifests\/([^/]+))$/.exec(url.pathname);
    const name = m?.[1];
    if (m === null || name === undefined) {
      if (req.method === 'GET' || req.method === 'HEAD') return read(req, res);
      registryError(res, 405, 'UNSUPPORTED', 'this registry keeps what it has: no deletes');
      return;
    }
    if (!LayoutRegistry.validName(name)) {
      registryError(res, 400, 'NAME_INVALID', `${name} is not a repository name`);
      return;
    }
    if (m[4] !== undefined) {
      if (req.method === 'PUT') return putManifest(registry, req, res, name, m[4]);
      if (req.method === 'GET' || req.method === 'HEAD') return read(req, res);
      registryError(res, 405, 'UNSUPPORTED', 'this registry keeps what it has: no deletes');
      return;
    }
    const id = m[3] ?? '';
    if (id === '' && req.method === 'POST')
      return startUpload(registry, uploads, req, res, name, url);
    return continueUpload(registry, uploads, req, res, name, id, url);
  };
}

async function startUpload(
  registry: LayoutRegistry,
  uploads: UploadSessions,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  url: URL,
): Promise<void> {
  const mount = url.searchParams.get('mount');
  if (mount !== null && isDigest(mount)) {
    const size = await registry.store.size(mount);
    if (size !== undefined) {
      registry.linkBlob(name, mount, size);
      created(res, name, mount);
      return;
    }
  }
  const id = await uploads.open(name);
  const digest = url.searchParams.get('digest');
  if (digest !== null) {
    // A monolithic upload in the POST itself.
    await uploads.append(name, id, req);
    return finish(registry, uploads, res, name, id, digest);
  }
  req.resume();
  accepted(res, name, id, 0);
}

async function continueUpload(
  registry: LayoutRegistry,
  uploads: UploadSessions,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  id: string,
  url: URL,
): Promise<void> {
  const size = uploads.size(name, id);
  if (size === undefined) {
    req.resume();
    registryError(res, 404, 'BLOB_UPLOAD_UNKNOWN', `no upload ${id} in ${name}`);
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(204, {
      ...apiHeader,
      location: uploadUrl(name, id),
      range: rangeOf(size),
      'docker-upload-uuid': id,
    });
    res.end();
    return;
  }
  if (req.method === 'DELETE') {
    await uploads.cancel(name, id);
    res.writeHead(204, apiHeader);
    res.end();
    return;
  }
  if (req.method === 'PATCH') {
    const added = await uploads.append(name, id, req, startOf(req.headers['content-range']));
    if (!added.ok) {
      res.writeHead(416, {
        ...apiHeader,
        location: uploadUrl(name, id),
        range: rangeOf(added.size ?? 0),
      });
      res.end();
      return;
    }
    accepted(res, name, id, added.size);
    return;
  }
  if (req.method === 'PUT') {
    const digest = url.searchParams.get('digest') ?? '';
    await uploads.append(name, id, req);
    return finish(registry, uploads, res, name, id, digest);
  }
  req.resume();
  registryError(res, 405, 'UNSUPPORTED', `${req.method ?? ''} is not an upload method`);
}

async function finish(
  registry: LayoutRegistry,
  uploads: UploadSessions,
  res: ServerResponse,
  name: string,
  id: string,
  digest: string,
): Promise<void> {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
    await uploads.cancel(name, id);
    registryError(res, 400, 'DIGEST_INVALID', `${digest} is not a sha256 digest`);
    return;
  }
  const outcome = await uploads.finish(name, id, digest);
  if (!outcome.ok) {
    registryError(
      res,
      outcome.code === 'DIGEST_INVALID' ? 400 : 404,
      outcome.code,
      outcome.message,
    );
    return;
  }
  registry.linkBlob(name, digest, outcome.size);
  created(res, name, digest);
}

async function putManifest(
  registry: LayoutRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  reference: string,
): Promise<void> {
  const body = await readLimited(req, maxManifestBytes);
  if (body === undefined) {
    registryError(res, 413, 'SIZE_INVALID', `a manifest over ${maxManifestBytes} bytes`);
    return;
  }
  const stored = await registry.putManifest(name, reference, body, req.headers['content-type']);
  if (!('digest' in stored)) {
    registryError(res, stored.status, stored.code, stored.message);
    return;
  }
  res.writeHead(201, {
    ...apiHeader,
    location: `/v2/${name}/manifests/${stored.digest}`,
    'docker-content-digest': stored.digest,
    'content-length': 0,
  });
  res.end();
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function created(res: ServerResponse, name: string, digest: string): void {
  res.writeHead(201, {
    ...apiHeader,
    location: `/v2/${name}/blobs/${digest}`,
    'docker-content-digest': digest,
    'content-length': 0,
  });
  res.end();
}

function accepted(res: ServerResponse, name: string, id: string, size: number): void {
  res.writeHead(202, {
    ...apiHeader,
    location: uploadUrl(name, id),
    range: rangeOf(size),
    'docker-upload-uuid': id,
    'content-length': 0,
  });
  res.end();
}

const uploadUrl = (name: string, id: string): string => `/v2/${name}/blobs/uploads/${id}`;

/** The Range header of an upload's status: `0-<last byte>` (distribution writes 0-0 when empty). */
const rangeOf = (size: number): string => `0-${Math.max(0, size - 1)}`;

/** Content-Range of a PATCH: `<start>-<end>` (distribution-spec "Pushing a blob in chunks"). */
function startOf(header: string | undefined): number | undefined {
  const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(header ?? '');
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}
