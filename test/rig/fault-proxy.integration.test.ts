import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import {
  startFaultProxy,
  startForwardProxy,
  startStaticStorage,
  type FaultProxy,
} from './fault-proxy.js';
import { makeImage, seedImage, sha256Digest, type GeneratedImage } from './images.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { ACCEPT_MANIFESTS, basic, send } from './test-http.js';

/** Streams a GET and reports what arrived when, and how it ended. */
function download(url: string): Promise<{
  status: number;
  headersAt: number;
  chunks: Array<{ at: number; bytes: number }>;
  body: Buffer;
  complete: boolean;
  error?: string;
}> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      const headersAt = Date.now() - start;
      const chunks: Array<{ at: number; bytes: number }> = [];
      const parts: Buffer[] = [];
      let error: string | undefined;
      res.on('data', (chunk: Buffer) => {
        chunks.push({ at: Date.now() - start, bytes: chunk.length });
        parts.push(chunk);
      });
      res.on('error', (err) => {
        error = err.message;
      });
      res.on('close', () => {
        resolve({
          status: res.statusCode ?? 0,
          headersAt,
          chunks,
          body: Buffer.concat(parts),
          complete: res.complete,
          error,
        });
      });
    });
    req.on('error', (err) => {
      resolve({
        status: 0,
        headersAt: -1,
        chunks: [],
        body: Buffer.alloc(0),
        complete: false,
        error: err.message,
      });
    });
    req.end();
  });
}

describe('rig fault proxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let image: GeneratedImage;
  let big: { digest: string; data: Buffer };
  before(async () => {
    registry = await startRegistry('anonymous');
    image = makeImage({ seed: 31, layers: 1, layerSize: 256 * 1024, format: 'oci' });
    big = image.layers[0]!;
    await seedImage(registry, image, 'rig/faults:v1');
    proxy = await startFaultProxy(registry);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });
  beforeEach(() => {
    proxy.clearRules();
    proxy.requests.length = 0;
  });

  const blobPath = (): string => `/v2/rig/faults/blobs/${big.digest}`;

  it('forwards requests unchanged and records them with the client Host', async () => {
    const res = await send(`${proxy.origin}/v2/rig/faults/manifests/v1`, {
      headers: { accept: ACCEPT_MANIFESTS },
    });
    expect(res.status).to.equal(200);
    expect(res.body.equals(image.manifest)).to.equal(true);
    expect(res.headers['docker-content-digest']).to.equal(image.manifestDigest);
    expect(proxy.requests).to.have.length(1);
    expect(proxy.requests[0]).to.deep.include({
      method: 'GET',
      path: '/v2/rig/faults/manifests/v1',
    });
    expect(proxy.requests[0]!.headers.host).to.equal(proxy.host);
    expect(proxy.requests[0]!.fault).to.equal(undefined);
  });

  it('keeps the registry Locations pointing at the proxy, through a whole upload', async () => {
    const data = Buffer.from('uploaded through the fault proxy');
    const digest = sha256Digest(data);
    const start = await send(`${proxy.origin}/v2/rig/upload/blobs/uploads/`, { method: 'POST' });
    expect(start.status).to.equal(202);
    const location = new URL(String(start.headers.location));
    expect(location.origin).to.equal(proxy.origin);
    location.searchParams.set('digest', digest);
    const put = await send(location.href, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect(put.status).to.equal(201);
    expect(new URL(String(put.headers.location)).origin).to.equal(proxy.origin);
    const back = await send(`${registry.origin}/v2/rig/upload/blobs/${digest}`);
    expect(back.body.equals(data)).to.equal(true);
    expect(proxy.requests.map((r) => r.method)).to.deep.equal(['POST', 'PUT']);
  });

  it('answers a matching request with a canned status, the given number of times', async () => {
    proxy.addRule({
      match: (req) => req.path.includes('/manifests/'),
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '2' }, body: 'slow down' },
    });
    const other = await send(`${proxy.origin}/v2/`);
    expect(other.status).to.equal(200);
    const url = `${proxy.origin}/v2/rig/faults/manifests/v1`;
    const first = await send(url, { headers: { accept: ACCEPT_MANIFESTS } });
    expect(first.status).to.equal(429);
    expect(first.headers['retry-after']).to.equal('2');
    expect(first.body.toString()).to.equal('slow down');
    const second = await send(url, { headers: { accept: ACCEPT_MANIFESTS } });
    expect(second.status).to.equal(200);
    expect(proxy.requests.map((r) => r.fault)).to.deep.equal([undefined, 'status', undefined]);
  });

  it('applies rules until cleared, and drains request bodies it does not forward', async () => {
    proxy.addRule({ match: () => true, action: { kind: 'status', status: 503 } });
    expect((await send(`${proxy.origin}/v2/`)).status).to.equal(503);
    const put = await send(`${proxy.origin}/v2/rig/x/blobs/uploads/`, {
      method: 'POST',
      body: Buffer.alloc(100_000),
    });
    expect(put.status).to.equal(503);
    proxy.clearRules();
    expect((await send(`${proxy.origin}/v2/`)).status).to.equal(200);
  });

  it('resets the connection after exactly N body bytes', async () => {
    proxy.addRule({
      match: (req) => req.path === blobPath(),
      action: { kind: 'reset-after', bytes: 1000 },
    });
    const res = await download(`${proxy.origin}${blobPath()}`);
    expect(res.status).to.equal(200);
    expect(res.body.length).to.equal(1000);
    expect(res.body.equals(big.data.subarray(0, 1000))).to.equal(true);
    expect(res.complete).to.equal(false);
  });

  it('resets the connection before any response', async () => {
    proxy.addRule({ match: () => true, times: 1, action: { kind: 'reset' } });
    let error: unknown;
    await send(`${proxy.origin}/v2/`).catch((err: unknown) => {
      error = err;
    });
    expect(String(error)).to.match(/socket hang up|ECONNRESET/);
  });

  it('stalls after some bytes, then delivers the rest intact', async () => {
    proxy.addRule({
      match: (req) => req.path === blobPath(),
      action: { kind: 'stall', ms: 600, afterBytes: 100 },
    });
    const res = await download(`${proxy.origin}${blobPath()}`);
    expect(res.complete).to.equal(true);
    expect(res.body.equals(big.data)).to.equal(true);
    expect(res.headersAt).to.be.below(300);
    // The first 100 bytes come at once, the next only after the stall.
    let seen = 0;
    const beforeStall = res.chunks.filter((c) => {
      seen += c.bytes;
      return seen <= 100;
    });
    expect(beforeStall.reduce((n, c) => n + c.bytes, 0)).to.equal(100);
    const after = res.chunks[beforeStall.length]!;
    expect(after.at - beforeStall.at(-1)!.at).to.be.at.least(550);
  });

  it('redirects to blob storage, which serves ranges', async () => {
    const storage = await startStaticStorage();
    try {
      storage.put(`/bucket${blobPath()}`, big.data);
      proxy.addRule({
        match: (req) => req.path === blobPath(),
        action: {
          kind: 'redirect',
          status: 307,
          location: (req) => `${storage.origin}/bucket${req.path}?X-Signature=abc`,
        },
      });
      const res = await send(`${proxy.origin}${blobPath()}`, {
        headers: { authorization: 'Bearer secret' },
      });
      expect(res.status).to.equal(307);
      const location = String(res.headers.location);
      expect(location).to.equal(`${storage.origin}/bucket${blobPath()}?X-Signature=abc`);
      const full = await send(location);
      expect(full.status).to.equal(200);
      expect(full.body.equals(big.data)).to.equal(true);
      const part = await send(location, { headers: { range: 'bytes=10-' } });
      expect(part.status).to.equal(206);
      expect(part.headers['content-range']).to.equal(
        `bytes 10-${big.data.length - 1}/${big.data.length}`,
      );
      expect(part.body.equals(big.data.subarray(10))).to.equal(true);
      expect((await send(`${storage.origin}/missing`)).status).to.equal(404);
      expect(storage.requests.map((r) => r.path)).to.deep.equal([
        `/bucket${blobPath()}?X-Signature=abc`,
        `/bucket${blobPath()}?X-Signature=abc`,
        '/missing',
      ]);
      expect(storage.requests[1]!.headers.range).to.equal('bytes=10-');
      expect(storage.requests[0]!.headers.authorization).to.equal(undefined);
    } finally {
      await storage.stop();
    }
  });
});

describe('rig fault proxy in front of TLS', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  before(async () => {
    registry = await startRegistry('htpasswd');
    proxy = await startFaultProxy(registry);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  it('proxies plain HTTP to the https registry with Locations back at the proxy', async () => {
    const auth = { authorization: basic(registry.username!, registry.password!) };
    expect((await send(`${proxy.origin}/v2/`)).status).to.equal(401);
    expect((await send(`${proxy.origin}/v2/`, { headers: auth })).status).to.equal(200);
    const start = await send(`${proxy.origin}/v2/rig/tls/blobs/uploads/`, {
      method: 'POST',
      headers: auth,
    });
    expect(start.status).to.equal(202);
    expect(new URL(String(start.headers.location)).origin).to.equal(proxy.origin);
  });
});

describe('rig forward proxy', () => {
  let tlsRegistry: RunningRegistry;
  let plainRegistry: RunningRegistry;
  before(async () => {
    [tlsRegistry, plainRegistry] = await Promise.all([
      startRegistry('htpasswd'),
      startRegistry('anonymous'),
    ]);
  });
  after(async () => {
    await tlsRegistry.stop();
    await plainRegistry.stop();
  });

  /** Opens a CONNECT tunnel and returns the raw socket, or the refusal status. */
  function tunnel(
    proxyUrl: string,
    target: string,
    headers: Record<string, string> = {},
  ): Promise<Socket | number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(proxyUrl, { method: 'CONNECT', path: target, headers, agent: false });
      req.on('connect', (res, socket) => {
        if (res.statusCode === 200) resolve(socket);
        else {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        }
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('tunnels HTTPS through CONNECT', async () => {
    const proxy = await startForwardProxy();
    try {
      const socket = await tunnel(proxy.url, tlsRegistry.host);
      if (typeof socket === 'number') throw new Error(`CONNECT refused with ${socket}`);
      const res = await send(`${tlsRegistry.origin}/v2/`, {
        headers: { authorization: basic(tlsRegistry.username!, tlsRegistry.password!) },
        createConnection: () => tlsConnect({ socket, ca: readFileSync(tlsRegistry.caFile!) }),
      });
      expect(res.status).to.equal(200);
      expect(proxy.requests).to.have.length(1);
      expect(proxy.requests[0]).to.deep.include({ method: 'CONNECT', target: tlsRegistry.host });
    } finally {
      await proxy.stop();
    }
  });

  it('forwards absolute-form HTTP requests', async () => {
    const proxy = await startForwardProxy();
    try {
      const target = `${plainRegistry.origin}/v2/`;
      const res = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(proxy.url, { path: target, agent: false }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(res).to.equal(200);
      expect(proxy.requests).to.deep.equal([
        { method: 'GET', target, headers: proxy.requests[0]!.headers },
      ]);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses targets off the loopback, and demands credentials when configured', async () => {
    const open = await startForwardProxy();
    const guarded = await startForwardProxy({ auth: { username: 'u', password: 'p' } });
    try {
      expect(await tunnel(open.url, '192.0.2.1:443')).to.equal(403);
      expect(await tunnel(guarded.url, tlsRegistry.host)).to.equal(407);
      const ok = await tunnel(guarded.url, tlsRegistry.host, {
        'proxy-authorization': basic('u', 'p'),
      });
      expect(ok).to.not.be.a('number');
      if (typeof ok !== 'number') ok.destroy();
    } finally {
      await open.stop();
      await guarded.stop();
    }
  });
});
