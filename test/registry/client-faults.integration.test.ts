import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseReference } from '../../src/reference/index.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { clientFor, readAll } from '../rig/registry-client.js';
import { makeImage } from '../rig/image-generator.js';
import {
  startFaultProxy,
  startForwardProxy,
  startStaticStorage,
  type FaultProxy,
} from '../rig/fault-proxy.js';
import type { ForwardProxy, ForwardProxyOptions } from '../rig/forward-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { rejection } from '../rig/rejection.js';

describe('registry client through faults', function () {
  this.timeout(120_000);
  const image = makeImage({ seed: 41, layers: 1, layerSize: 200_000, format: 'oci' });
  const layer = image.layers[0]!;
  const layerDesc: Descriptor = { mediaType: 'x', digest: layer.digest, size: layer.size };
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  const ref = () => parseReference(`${proxy.host}/faulty/app:1`);
  const isBlob = (path: string) => path.includes(`/blobs/${layer.digest}`);
  const isManifest = (path: string) => path.includes('/manifests/');

  before(async () => {
    reg = await startRegistry('anonymous');
    await seedImage(reg, image, 'faulty/app:1');
    proxy = await startFaultProxy(reg);
  });
  beforeEach(() => {
    proxy.clearRules();
    proxy.requests.length = 0;
  });
  after(async () => {
    await proxy.stop();
    await reg.stop();
  });

  it('checks only the size of a blob read with verify: false, leaving the digest to the caller', async () => {
    const changed = Buffer.from(layer.data);
    changed[10] = changed[10]! ^ 0xff;
    proxy.addRule({
      match: (r) => isBlob(r.path),
      action: { kind: 'status', status: 200, body: changed },
    });
    const client = clientFor(reg, { host: proxy.host });
    try {
      expect((await rejection(readAll(client.openBlob(ref(), layerDesc)))).code).to.equal(
        'E_DIGEST_MISMATCH',
      );
      const read = await readAll(client.openBlob(ref(), layerDesc, { verify: false }));
      expect(read.equals(changed)).to.equal(true);
      const longer = { ...layerDesc, size: layerDesc.size - 1 };
      expect(
        (await rejection(readAll(client.openBlob(ref(), longer, { verify: false })))).code,
      ).to.equal('E_SIZE_MISMATCH');
    } finally {
      await client.close();
    }
  });

  it('waits for Retry-After on a 429, then succeeds', async () => {
    proxy.addRule({
      match: (r) => isManifest(r.path),
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    const client = clientFor(reg, { host: proxy.host });
    try {
      const started = Date.now();
      expect((await client.getManifest(ref())).digest).to.equal(image.manifestDigest);
      expect(Date.now() - started).to.be.at.least(950);
      expect(proxy.requests.filter((r) => isManifest(r.path))).to.have.length(2);
    } finally {
      await client.close();
    }
  });

  it('waits as long as Retry-After asks when the upload itself gets a 429', async () => {
    const fresh = makeImage({ seed: 42, layers: 1, layerSize: 50_000, format: 'oci' }).layers[0]!;
    const desc: Descriptor = { mediaType: 'x', digest: fresh.digest, size: fresh.size };
    proxy.addRule({
      match: (r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'),
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
    });
    const delays: number[] = [];
    const client = clientFor(reg, {
      host: proxy.host,
      extra: { onRetry: (e) => delays.push(e.delayMs) },
    });
    try {
      const target = { registry: proxy.host, repository: 'faulty/upload' };
      const result = await client.uploadBlob(target, desc, () => Readable.from([fresh.data]));
      expect(result).to.equal('uploaded');
      expect(delays).to.deep.equal([2000]);
      expect(await client.headBlob(target, fresh.digest)).to.equal(fresh.size);
    } finally {
      await client.close();
    }
  });

  const chunk = 32 * 1024;
  const isPatch = (r: { method: string; path: string }) =>
    r.method === 'PATCH' && r.path.includes('/blobs/uploads/');
  /** A fresh 200 kB blob whose third PATCH is cut after 1000 bytes: the registry then holds two chunks. */
  function cutThirdPatch(seed: number): { data: Buffer; desc: Descriptor } {
    const fresh = makeImage({ seed, layers: 1, layerSize: 200_000, format: 'oci' }).layers[0]!;
    proxy.addRule({
      match: (r) => isPatch(r) && r.headers['content-range'] === `${2 * chunk}-${3 * chunk - 1}`,
      times: 1,
      action: { kind: 'reset-upload-after', bytes: 1000 },
    });
    return { data: fresh.data, desc: { mediaType: 'x', digest: fresh.digest, size: fresh.size } };
  }

  it('resumes a chunked upload cut mid-way at the offset the registry reports, sending only the rest', async () => {
    const { data, desc } = cutThirdPatch(43);
    const client = clientFor(reg, { host: proxy.host });
    try {
      const target = { registry: proxy.host, repository: 'faulty/resumed' };
      const result = await client.uploadBlob(target, desc, () => Readable.from([data]), {
        chunkSize: chunk,
      });
      expect(result).to.equal('uploaded');
      const cut = proxy.requests.findIndex((r) => r.fault === 'reset-upload-after');
      expect(cut, 'the PATCH was cut').to.be.greaterThan(0);
      const retry = proxy.requests.slice(cut + 1);
      expect(retry.map((r) => r.method)).to.not.include('POST');
      expect(retry.filter((r) => r.method === 'GET').map((r) => r.status)).to.eql([204]);
      const patches = retry.filter(isPatch);
      expect(patches[0]?.headers['content-range']).to.equal(`${2 * chunk}-${3 * chunk - 1}`);
      const retried = patches.reduce((n, r) => n + Number(r.headers['content-length']), 0);
      expect(retried).to.equal(desc.size - 2 * chunk);
      expect(retried).to.be.lessThan(desc.size);
      expect(await client.headBlob(target, desc.digest)).to.equal(desc.size);
    } finally {
      await client.close();
    }
  });

  it('checks the digest over the whole blob on a resumed upload: a source whose held bytes changed commits nothing', async () => {
    const { data, desc } = cutThirdPatch(44);
    const changed = Buffer.from(data);
    changed[10] = changed[10]! ^ 0xff;
    let opens = 0;
    const client = clientFor(reg, { host: proxy.host });
    try {
      const target = { registry: proxy.host, repository: 'faulty/resumed-changed' };
      const err = await rejection(
        client.uploadBlob(target, desc, () => Readable.from([++opens === 1 ? data : changed]), {
          chunkSize: chunk,
        }),
      );
      expect(err.code).to.equal('E_DIGEST_MISMATCH');
      expect(proxy.requests.filter((r) => r.method === 'GET' && r.status === 204)).to.have.length(
        1,
      );
      expect(await client.headBlob(target, desc.digest)).to.equal(undefined);
    } finally {
      await client.close();
    }
  });

  it('a body limit that refuses the PATCH and then the single PUT (413) says which limit to raise', async () => {
    const fresh = makeImage({ seed: 45, layers: 1, layerSize: 100_000, format: 'oci' }).layers[0]!;
    const desc: Descriptor = { mediaType: 'x', digest: fresh.digest, size: fresh.size };
    proxy.addRule({
      match: (r) => Number(r.headers['content-length'] ?? '0') > 8 * 1024,
      action: { kind: 'status', status: 413 },
    });
    const client = clientFor(reg, { host: proxy.host });
    try {
      const target = { registry: proxy.host, repository: 'faulty/limited' };
      const err = await rejection(
        client.uploadBlob(target, desc, () => Readable.from([fresh.data]), { chunkSize: chunk }),
      );
      expect(err.code).to.equal('E_REGISTRY');
      expect(err.hint).to.contain('client_max_body_size');
      expect(proxy.requests.map((r) => `${r.method} ${r.status ?? r.fault}`)).to.include.members([
        'PATCH status',
        'PUT status',
      ]);
    } finally {
      await client.close();
    }
  });

  it('retries 503s and connection resets, then succeeds', async () => {
    proxy.addRule({
      match: (r) => isManifest(r.path),
      times: 2,
      action: { kind: 'status', status: 503 },
    });
    proxy.addRule({ match: (r) => isManifest(r.path), times: 1, action: { kind: 'reset' } });
    const client = clientFor(reg, { host: proxy.host });
    try {
      expect((await client.getManifest(ref())).digest).to.equal(image.manifestDigest);
      expect(proxy.requests.filter((r) => isManifest(r.path))).to.have.length(4);
    } finally {
      await client.close();
    }
  });

  it('gives up after the policy attempts and says how often it tried', async () => {
    proxy.addRule({ match: (r) => isManifest(r.path), action: { kind: 'status', status: 503 } });
    const client = clientFor(reg, { host: proxy.host });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_REGISTRY');
      expect(err.message).to.contain('tried 4 times');
      expect(err.details.attempts).to.equal(4);
      expect(proxy.requests.filter((r) => isManifest(r.path))).to.have.length(4);
    } finally {
      await client.close();
    }
  });

  it('fails at once with E_RATE_LIMITED when Retry-After is longer than it will wait', async () => {
    proxy.addRule({
      match: (r) => isManifest(r.path),
      action: { kind: 'status', status: 429, headers: { 'retry-after': '3600' } },
    });
    const client = clientFor(reg, { host: proxy.host });
    try {
      const err = await rejection(client.getManifest(ref()));
      expect(err.code).to.equal('E_RATE_LIMITED');
      expect(err.exitCode).to.equal(9);
      expect(proxy.requests.filter((r) => isManifest(r.path))).to.have.length(1);
    } finally {
      await client.close();
    }
  });

  it('resumes a blob download cut mid-way with a Range request', async () => {
    proxy.addRule({
      match: (r) => isBlob(r.path),
      times: 1,
      action: { kind: 'reset-after', bytes: 70_000 },
    });
    const client = clientFor(reg, { host: proxy.host });
    try {
      const data = await readAll(client.openBlob(ref(), layerDesc));
      expect(data.equals(layer.data)).to.equal(true);
      const gets = proxy.requests.filter((r) => isBlob(r.path));
      expect(gets).to.have.length(2);
      expect(gets[0]!.headers.range).to.equal(undefined);
      expect(gets[1]!.headers.range).to.match(/^bytes=[1-9]\d*-$/);
    } finally {
      await client.close();
    }
  });

  it('treats a stalled download as broken and resumes it', async () => {
    proxy.addRule({
      match: (r) => isBlob(r.path),
      times: 1,
      action: { kind: 'stall', ms: 3_000, afterBytes: 50_000 },
    });
    const client = clientFor(reg, { host: proxy.host, extra: { stallTimeoutMs: 400 } });
    try {
      const data = await readAll(client.openBlob(ref(), layerDesc));
      expect(data.equals(layer.data)).to.equal(true);
      const gets = proxy.requests.filter((r) => isBlob(r.path));
      expect(gets).to.have.length(2);
      expect(gets[1]!.headers.range).to.match(/^bytes=[1-9]\d*-$/);
    } finally {
      await client.close();
    }
  });

  it('follows a blob redirect to another origin without sending Authorization there', async () => {
    const treg = await startRegistry('token');
    await seedImage(treg, image, 'faulty/app:1');
    const tproxy = await startFaultProxy(treg);
    const storage = await startStaticStorage();
    storage.put(`/store/${layer.digest}`, layer.data);
    tproxy.addRule({
      match: (r) => isBlob(r.path) && r.method === 'GET',
      action: {
        kind: 'redirect',
        status: 307,
        location: `${storage.origin}/store/${layer.digest}?X-Amz-Signature=abc`,
      },
    });
    const client = clientFor(treg, { host: tproxy.host });
    try {
      const r = parseReference(`${tproxy.host}/faulty/app:1`);
      const data = await readAll(client.openBlob(r, layerDesc));
      expect(data.equals(layer.data)).to.equal(true);
      const atRegistry = tproxy.requests.filter((q) => isBlob(q.path));
      expect(atRegistry[0]!.headers.authorization).to.match(/^Bearer /);
      expect(storage.requests).to.have.length(1);
      expect(storage.requests[0]!.headers.authorization).to.equal(undefined);
    } finally {
      await client.close();
      await storage.stop();
      await tproxy.stop();
      await treg.stop();
    }
  });

  /** A TLS registry holding the image, reached through HTTPS_PROXY; `check` gets the proxy. */
  async function throughTunnel(
    options: ForwardProxyOptions,
    check: (forward: ForwardProxy, host: string) => void,
  ): Promise<void> {
    const treg = await startRegistry('htpasswd');
    await seedImage(treg, image, 'faulty/app:1');
    const forward = await startForwardProxy(options);
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTPS_PROXY = forward.url;
    delete process.env.NO_PROXY;
    const client = clientFor(treg);
    try {
      const m = await client.getManifest(parseReference(`${treg.host}/faulty/app:1`));
      expect(m.digest).to.equal(image.manifestDigest);
      check(forward, treg.host);
    } finally {
      restoreEnv(saved);
      await client.close();
      await forward.stop();
      await treg.stop();
    }
  }

  it('reaches a TLS registry through HTTPS_PROXY with a CONNECT tunnel', async () => {
    await throughTunnel({}, (forward, host) => {
      expect(forward.requests.map((r) => `${r.method} ${r.target}`)).to.include(`CONNECT ${host}`);
    });
  });

  it('retries when the proxy refuses a CONNECT with 503, then goes through the tunnel', async () => {
    await throughTunnel({ refuseConnects: 2 }, (forward) => {
      const connects = forward.requests.filter((r) => r.method === 'CONNECT');
      expect(connects.length).to.be.at.least(3);
    });
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const forward = await startForwardProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = forward.url;
    process.env.NO_PROXY = '127.0.0.1';
    const client = clientFor(reg);
    try {
      const m = await client.getManifest(parseReference(`${reg.host}/faulty/app:1`));
      expect(m.digest).to.equal(image.manifestDigest);
      expect(forward.requests).to.have.length(0);
    } finally {
      restoreEnv(saved);
      await client.close();
      await forward.stop();
    }
  });
});

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
}
