/**
 * bmpack serve against the OCI distribution spec's "Pull" and "Content
 * Discovery" requirements (distribution-spec v1.1, spec.md), one test per
 * requirement, each named by the spec's words, over a real bundle of a
 * release with an OCI index, Docker schema 2 manifests and a manifest list.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { serveBundles, type RunningServe } from '../../src/serve/index.js';
import type { GeneratedImage } from '../rig/image-generator.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';

const sha256 = (b: ArrayBuffer): string =>
  `sha256:${createHash('sha256').update(Buffer.from(b)).digest('hex')}`;

describe('bmpack serve: the distribution spec, Pull and Content Discovery', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let served: RunningServe;

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source);
    work = await writeImageSet(release.images.map((i) => i.ref));
    served = await serveBundles({
      sources: [await bundleImageSet(source, work, 'spec.tar.xz')],
      listen: '127.0.0.1:0',
    });
  });
  after(async () => {
    await served.close();
    await source.stop();
    await work.cleanup();
  });

  const url = (path: string) => `http://${served.address}${path}`;
  const ask = (path: string, o: { method?: string; headers?: Record<string, string> } = {}) =>
    fetch(url(path), { method: o.method ?? 'GET', headers: o.headers ?? {} });
  const at = (i: number) => {
    const [repo, tag] = release.images[i]!.ref.slice(source.host.length + 1).split(':');
    return { repo: repo!, tag: tag!, item: release.images[i]!.item };
  };
  const docker = () => at(1) as { repo: string; tag: string; item: GeneratedImage };
  const codeOf = async (r: Response) =>
    ((await r.json()) as { errors: Array<{ code: string }> }).errors[0]?.code;

  it('end-1: GET /v2/ answers 200 OK', async () => {
    expect((await ask('/v2/')).status).to.equal(200);
  });

  it('"A GET request to an existing manifest URL MUST provide the expected manifest, with a response code that MUST be 200 OK", with Docker-Content-Digest matching the body and Content-Type its media type', async () => {
    for (const i of release.images.keys()) {
      const { repo, tag, item } = at(i);
      for (const ref of [tag, item.manifestDigest]) {
        const res = await ask(`/v2/${repo}/manifests/${ref}`);
        expect(res.status, `${repo}:${ref}`).to.equal(200);
        const body = await res.arrayBuffer();
        expect(sha256(body)).to.equal(item.manifestDigest);
        expect(res.headers.get('docker-content-digest')).to.equal(item.manifestDigest);
        expect(res.headers.get('content-type')).to.equal(item.mediaType);
      }
    }
  });

  it('"If the manifest is not found in the repository, the response code MUST be 404 Not Found" (MANIFEST_UNKNOWN)', async () => {
    const { repo } = at(0);
    const res = await ask(`/v2/${repo}/manifests/sha256:${'0'.repeat(64)}`);
    expect(res.status).to.equal(404);
    expect(await codeOf(res)).to.equal('MANIFEST_UNKNOWN');
  });

  it('"The client SHOULD include an Accept header …": a tag is answered in a type the client lists, else 404 MANIFEST_UNKNOWN, as distribution answers; by digest, as stored', async () => {
    const { repo, tag, item } = docker();
    const listed = await ask(`/v2/${repo}/manifests/${tag}`, {
      headers: { accept: `application/vnd.oci.image.manifest.v1+json, ${item.mediaType};q=0.9` },
    });
    expect(listed.status).to.equal(200);
    const unlisted = await ask(`/v2/${repo}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(unlisted.status).to.equal(404);
    expect(await codeOf(unlisted)).to.equal('MANIFEST_UNKNOWN');
    const byDigest = await ask(`/v2/${repo}/manifests/${item.manifestDigest}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(byDigest.status).to.equal(200);
  });

  it('"A GET request to an existing blob URL MUST provide the expected blob, with a response code that MUST be 200 OK"; Docker-Content-Digest "MUST be a digest matching that of the response body"', async () => {
    const { repo, item } = docker();
    for (const d of [item.configDigest, ...item.layers.map((l) => l.digest)]) {
      const res = await ask(`/v2/${repo}/blobs/${d}`);
      expect(res.status).to.equal(200);
      const body = await res.arrayBuffer();
      expect(sha256(body)).to.equal(d);
      expect(res.headers.get('docker-content-digest')).to.equal(d);
    }
  });

  it('"If the blob is not found in the repository, the response code MUST be 404 Not Found" (BLOB_UNKNOWN), also for a blob of another repository', async () => {
    const { repo } = docker();
    const absent = await ask(`/v2/${repo}/blobs/sha256:${'0'.repeat(64)}`);
    expect(absent.status).to.equal(404);
    expect(await codeOf(absent)).to.equal('BLOB_UNKNOWN');
    const other = release.images.findIndex((i) => i.ref.includes('/other/'));
    const foreign = at(other).item as GeneratedImage;
    const elsewhere = await ask(`/v2/${repo}/blobs/${foreign.layers.at(-1)!.digest}`);
    expect(elsewhere.status).to.equal(404);
  });

  it('"A HEAD request to an existing blob or manifest URL MUST return 200 OK", with Docker-Content-Digest and Content-Length, and no body; 404 for absent ones', async () => {
    const { repo, tag, item } = docker();
    for (const path of [
      `/v2/${repo}/manifests/${tag}`,
      `/v2/${repo}/blobs/${item.layers[0]!.digest}`,
    ]) {
      const res = await ask(path, { method: 'HEAD' });
      expect(res.status, path).to.equal(200);
      expect(Number(res.headers.get('content-length'))).to.be.greaterThan(0);
      expect(res.headers.get('docker-content-digest')).to.match(/^sha256:/);
      expect((await res.arrayBuffer()).byteLength).to.equal(0);
    }
    expect((await ask(`/v2/${repo}/manifests/nope`, { method: 'HEAD' })).status).to.equal(404);
  });

  it('Range on a blob: 206 with Content-Range for the bytes asked; 416 outside the blob (RFC 9110, as distribution serves it)', async () => {
    const { repo, item } = docker();
    const layer = item.layers[0]!;
    const res = await ask(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: 'bytes=-5' } });
    expect(res.status).to.equal(206);
    expect(res.headers.get('content-range')).to.equal(
      `bytes ${layer.size - 5}-${layer.size - 1}/${layer.size}`,
    );
    expect(Buffer.from(await res.arrayBuffer())).to.eql(layer.data.subarray(layer.size - 5));
    const outside = await ask(`/v2/${repo}/blobs/${layer.digest}`, {
      headers: { range: `bytes=${layer.size}-` },
    });
    expect(outside.status).to.equal(416);
  });

  it('tags/list: "MUST be 200 OK" with name and tags in lexical order; n limits it, last continues after, Link names the next page; n=0 an empty list', async () => {
    const { repo, tag } = docker();
    const all = await ask(`/v2/${repo}/tags/list`);
    expect(await all.json()).to.deep.equal({ name: repo, tags: [tag] });
    const catalog = (await (await ask('/v2/_catalog')).json()) as { repositories: string[] };
    expect(catalog.repositories).to.eql([...catalog.repositories].sort());
    const first = await ask('/v2/_catalog?n=1');
    const page1 = (await first.json()) as { repositories: string[] };
    expect(page1.repositories).to.eql(catalog.repositories.slice(0, 1));
    const link = first.headers.get('link');
    expect(link).to.equal(
      `</v2/_catalog?n=1&last=${encodeURIComponent(catalog.repositories[0]!)}>; rel="next"`,
    );
    const next = (await (await ask(/<([^>]+)>/.exec(link!)![1]!)).json()) as {
      repositories: string[];
    };
    expect(next.repositories).to.eql(catalog.repositories.slice(1, 2));
    const none = (await (await ask(`/v2/${repo}/tags/list?n=0`)).json()) as { tags: string[] };
    expect(none.tags).to.eql([]);
  });

  it('referrers: "MUST return 200 OK" with an image index, empty for a digest nothing refers to', async () => {
    const { repo, item } = docker();
    const res = await ask(`/v2/${repo}/referrers/${item.manifestDigest}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/vnd.oci.image.index.v1+json');
    expect(await res.json()).to.deep.equal({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
    });
  });

  it('a repository name the bundle does not hold is NAME_UNKNOWN, and no path reaches the file system', async () => {
    for (const path of [
      '/v2/nope/tags/list',
      '/v2/../../etc/passwd/manifests/x',
      '/v2/%2e%2e/blobs/x',
    ]) {
      const res = await ask(path);
      expect(res.status, path).to.equal(404);
    }
  });
});
