import { Readable } from 'node:stream';
import { expect } from 'chai';
import { MediaType } from '../../src/oci/media-types.js';
import { parseReference } from '../../src/reference/index.js';
import { RegistryClient } from '../../src/registry/client.js';
import { clientFor, readAll } from '../rig/registry-client.js';
import { makeImage, makeIndex, type GeneratedImage } from '../rig/image-generator.js';
import { startFaultProxy, type FaultProxy } from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { runTool } from '../rig/processes.js';
import { requireTool } from '../rig/tools.js';
import { rejection, rejectionCode } from '../rig/rejection.js';

describe('registry client on an anonymous registry', function () {
  this.timeout(120_000);
  let reg: RunningRegistry;
  let client: RegistryClient;
  const oci = makeImage({ seed: 1, layers: 2, layerSize: 4096, format: 'oci' });
  const docker = makeImage({ seed: 2, layers: 1, layerSize: 2048, format: 'docker' });
  const arm = makeImage({
    seed: 3,
    layers: 1,
    layerSize: 1024,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  const index = makeIndex([oci, arm], 'oci');
  const ref = (s: string) => parseReference(`${reg.host}/${s}`);

  before(async () => {
    reg = await startRegistry('anonymous');
    await seedImage(reg, oci, 'test/oci:1');
    await seedImage(reg, docker, 'test/docker:1');
    await seedImage(reg, index, 'test/multi:1');
    client = clientFor(reg);
  });
  after(async () => {
    await client.close();
    await reg.stop();
  });

  it('gets an OCI manifest by tag with the digest of the exact bytes', async () => {
    const m = await client.getManifest(ref('test/oci:1'));
    expect(m.digest).to.equal(oci.manifestDigest);
    expect(m.mediaType).to.equal(MediaType.ociManifest);
    expect(m.bytes.equals(oci.manifest)).to.equal(true);
  });

  it('gets a Docker schema2 manifest without conversion', async () => {
    const m = await client.getManifest(ref('test/docker:1'));
    expect(m.mediaType).to.equal(MediaType.dockerManifest);
    expect(m.digest).to.equal(docker.manifestDigest);
  });

  it('gets an OCI index and its platforms, and a child by digest', async () => {
    const m = await client.getManifest(ref('test/multi:1'));
    expect(m.manifest.kind).to.equal('index');
    const platforms =
      m.manifest.kind === 'index' ? m.manifest.manifests.map((d) => d.platform?.architecture) : [];
    expect(platforms).to.deep.equal(['amd64', 'arm64']);
    const child = await client.getManifest(ref(`test/multi@${arm.manifestDigest}`));
    expect(child.digest).to.equal(arm.manifestDigest);
  });

  it('HEADs a manifest for its descriptor, and answers undefined when absent', async () => {
    const d = await client.headManifest(ref('test/oci:1'));
    expect(d).to.deep.equal({
      mediaType: MediaType.ociManifest,
      digest: oci.manifestDigest,
      size: oci.manifest.length,
    });
    expect(await client.headManifest(ref('test/oci:nope'))).to.equal(undefined);
  });

  it('fails with E_NOT_FOUND naming the image and tag', async () => {
    const err = await rejection(client.getManifest(ref('test/oci:missing')));
    expect(err.code).to.equal('E_NOT_FOUND');
    expect(err.message).to.contain(`${reg.host}/test/oci:missing`);
    expect(err.exitCode).to.equal(5);
  });

  it('streams a blob and verifies it', async () => {
    const layer = oci.layers[0]!;
    const data = await readAll(
      client.openBlob(ref('test/oci:1'), {
        mediaType: 'x',
        digest: layer.digest,
        size: layer.size,
      }),
    );
    expect(data.equals(layer.data)).to.equal(true);
  });

  it('fails a blob whose descriptor does not match with E_SIZE_MISMATCH', async () => {
    const layer = oci.layers[0]!;
    const stream = client.openBlob(ref('test/oci:1'), {
      mediaType: 'x',
      digest: layer.digest,
      size: layer.size - 1,
    });
    expect(await rejectionCode(readAll(stream))).to.equal('E_SIZE_MISMATCH');
  });

  async function pushImage(
    image: GeneratedImage,
    target: string,
    chunkSize?: number,
  ): Promise<void> {
    const r = ref(target);
    for (const blob of [{ digest: image.configDigest, data: image.config }, ...image.layers]) {
      const desc = {
        mediaType: 'application/octet-stream',
        digest: blob.digest,
        size: blob.data.length,
      };
      await client.uploadBlob(
        r,
        desc,
        () => Readable.from([blob.data]),
        chunkSize !== undefined ? { chunkSize } : {},
      );
    }
    await client.putManifest(r, r.tag ?? 'latest', image.manifest, image.mediaType);
  }

  it('pushes an image that skopeo then reads back with the same digest', async () => {
    const image = makeImage({ seed: 10, layers: 2, layerSize: 3000, format: 'oci' });
    await pushImage(image, 'pushed/one:v1');
    const skopeo = requireTool('skopeo', 'skopeo');
    const raw = await runTool(skopeo, [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${reg.host}/pushed/one:v1`,
    ]);
    expect(raw.equals(image.manifest)).to.equal(true);
    const inspect = JSON.parse(
      (
        await runTool(skopeo, [
          'inspect',
          '--tls-verify=false',
          `docker://${reg.host}/pushed/one:v1`,
        ])
      ).toString('utf8'),
    ) as { Digest: string; Layers: string[] };
    expect(inspect.Digest).to.equal(image.manifestDigest);
    expect(inspect.Layers).to.deep.equal(image.layers.map((l) => l.digest));
  });

  it('uploads a large blob in PATCH chunks with Content-Range, then one PUT with the digest', async () => {
    const proxy: FaultProxy = await startFaultProxy(reg);
    const viaProxy = clientFor(reg, { host: proxy.host });
    try {
      const image = makeImage({ seed: 11, layers: 1, layerSize: 50_000, format: 'oci' });
      const layer = image.layers[0]!;
      const r = parseReference(`${proxy.host}/chunked/app:1`);
      await viaProxy.uploadBlob(
        r,
        { mediaType: 'x', digest: layer.digest, size: layer.size },
        () => Readable.from([layer.data]),
        { chunkSize: 16_384 },
      );
      const patches = proxy.requests.filter((q) => q.method === 'PATCH');
      expect(patches.length).to.equal(Math.ceil(layer.size / 16_384));
      expect(patches.map((p) => p.headers['content-range'])[1]).to.equal(`16384-32767`);
      const puts = proxy.requests.filter((q) => q.method === 'PUT');
      expect(puts).to.have.length(1);
      expect(puts[0]!.path).to.match(/_state=.*&digest=sha256%3A|_state=.*digest=sha256:/);
      expect(await viaProxy.headBlob(r, layer.digest)).to.equal(layer.size);
    } finally {
      await viaProxy.close();
      await proxy.stop();
    }
  });

  it('closes its connections (their errors made without stacks) and leaves the stack limit as it was', async () => {
    const fresh = clientFor(reg);
    await Promise.all([1, 2, 3].map(() => fresh.headManifest(ref('test/oci:1'))));
    const limit = Error.stackTraceLimit;
    await fresh.close();
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error('after').stack).to.contain('client-anonymous.integration.test.ts');
  });

  it('an insecure registry on plain HTTP: a tag list, a referrers question, a name probe or an upload as the first request waits for the ping to settle the scheme', async () => {
    // Each through a fresh client: the request is its first to the registry.
    const first = async <T>(ask: (c: RegistryClient) => Promise<T>): Promise<T> => {
      const fresh = new RegistryClient({ hosts: { [reg.host]: { insecure: true } } });
      try {
        return await ask(fresh);
      } finally {
        await fresh.close();
      }
    };
    const tags = await first(async (c) => {
      const all: string[] = [];
      for await (const page of c.listTags(ref('test/oci:1'))) all.push(...page);
      return all;
    });
    expect(tags).to.deep.equal(['1']);
    // distribution 2.8 has no referrers API: undefined, not a TLS failure.
    expect(await first((c) => c.listReferrers(ref('test/oci:1'), oci.manifestDigest))).to.equal(
      undefined,
    );
    expect(await first((c) => c.probeRepositoryName(ref('first/probe:1')))).to.deep.equal({
      accepted: true,
    });
    const image = makeImage({ seed: 13, layers: 1, layerSize: 300, format: 'oci' });
    const layer = image.layers[0]!;
    const desc = { mediaType: 'x', digest: layer.digest, size: layer.size };
    const upload = (c: RegistryClient) =>
      c.uploadBlob(ref('first/upload:1'), desc, () => Readable.from([layer.data]), {
        mountFrom: 'test/oci',
      });
    expect(await first(upload)).to.equal('uploaded');
  });

  it('takes a repository name once the registry opens an upload under it; the cancel follows without holding the answer, and closing the client waits for it', async () => {
    const proxy = await startFaultProxy(reg);
    const c = clientFor(reg, { host: proxy.host });
    try {
      proxy.addRule({ match: (r) => r.method === 'DELETE', action: { kind: 'hang', ms: 3000 } });
      const started = performance.now();
      const verdict = await c.probeRepositoryName(parseReference(`${proxy.host}/names/taken:1`));
      expect(verdict).to.deep.equal({ accepted: true });
      // Not behind the cancel, which the proxy leaves unanswered for 3 s.
      expect(performance.now() - started).to.be.below(1500);
      await c.close();
      expect(proxy.requests.map((r) => r.method)).to.include('DELETE');
      expect(performance.now() - started).to.be.at.least(2900);
    } finally {
      await c.close();
      await proxy.stop();
    }
  });

  it('mounts a blob from another repository instead of uploading it', async () => {
    const layer = oci.layers[1]!;
    const mounted = await client.mountBlob(ref('elsewhere/app:1'), layer.digest, 'test/oci');
    expect(mounted).to.equal(true);
    expect(await client.headBlob(ref('elsewhere/app:1'), layer.digest)).to.equal(layer.size);
  });

  it('answers false for a mount whose source lacks the blob, and uploads through the same call', async () => {
    const image = makeImage({ seed: 12, layers: 1, layerSize: 500, format: 'oci' });
    const layer = image.layers[0]!;
    expect(await client.mountBlob(ref('m/two:1'), layer.digest, 'test/oci')).to.equal(false);
    const desc = { mediaType: 'x', digest: layer.digest, size: layer.size };
    const result = await client.uploadBlob(
      ref('m/two:1'),
      desc,
      () => Readable.from([layer.data]),
      { mountFrom: 'test/oci' },
    );
    expect(result).to.equal('uploaded');
    expect(
      await client.uploadBlob(ref('m/three:1'), desc, () => Readable.from([layer.data]), {
        mountFrom: 'm/two',
      }),
    ).to.equal('mounted');
  });

  it('refuses to commit an upload whose bytes do not match, leaving no blob', async () => {
    const image = makeImage({ seed: 13, layers: 1, layerSize: 800, format: 'oci' });
    const layer = image.layers[0]!;
    const bad = Buffer.from(layer.data);
    bad[100] = (bad[100] ?? 0) ^ 0xff;
    const desc = { mediaType: 'x', digest: layer.digest, size: layer.size };
    expect(
      await rejectionCode(client.uploadBlob(ref('bad/blob:1'), desc, () => Readable.from([bad]))),
    ).to.equal('E_DIGEST_MISMATCH');
    expect(await client.headBlob(ref('bad/blob:1'), layer.digest)).to.equal(undefined);
  });

  it('refuses an index whose children are missing, with the registry message', async () => {
    const lone = makeIndex(
      [makeImage({ seed: 14, layers: 1, layerSize: 100, format: 'oci' })],
      'oci',
    );
    const err = await rejection(
      client.putManifest(ref('lone/index:1'), '1', lone.manifest, lone.mediaType),
    );
    expect(err.code).to.equal('E_REGISTRY');
    expect(err.message).to.contain('MANIFEST_BLOB_UNKNOWN');
  });
});
