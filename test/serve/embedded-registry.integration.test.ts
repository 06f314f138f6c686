/**
 * bmpack serve --root: a small registry that accepts pushes into an OCI
 * image layout (issue 16, item 6). Written to by bmpack push (monolithic
 * and chunked uploads, mounts), by skopeo copy, read by containerd and
 * skopeo; the write side's checks asked for directly, from the
 * distribution spec's "Push" section; what it keeps survives a restart and
 * is a layout skopeo reads.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import { pushImages } from '../../src/push/push-images.js';
import { mirrorConfig } from '../../src/mirror/index.js';
import { serveBundles, type RunningServe } from '../../src/serve/index.js';
import { imageDigests, startContainerd } from '../mirror/containerd-rig.js';
import { runTool } from '../rig/processes.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { requireTool } from '../rig/tools.js';

const sha256 = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('bmpack serve --root: an embedded registry that accepts pushes', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;
  let dir: TrackedDir;
  let root: string;
  let served: RunningServe;
  const lines: Array<{ method: string; status: number }> = [];

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source);
    work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'root.tar.xz');
    dir = await makeTempDir('bmpack-serve-root-');
    root = join(dir.path, 'registry');
    served = await serveBundles({
      sources: [],
      root,
      listen: '127.0.0.1:0',
      onRequest: (l) => lines.push(l),
    });
  });
  after(async () => {
    await served.close();
    await source.stop();
    await work.cleanup();
    await dir.stop();
  });

  const path = (i: number) => release.images[i]!.ref.slice(source.host.length + 1);
  const url = (p: string) => `http://${served.address}${p}`;
  const headDigest = async (repo: string, ref: string) =>
    (await fetch(url(`/v2/${repo}/manifests/${ref}`), { method: 'HEAD' })).headers.get(
      'docker-content-digest',
    );

  it('bmpack push images puts a whole bundle into it, chunked; a second push sends nothing', async () => {
    const first = await pushImages({
      source: bundle,
      privateRegistry: `${served.address}/site`,
      host: { plainHttp: true },
      chunkSize: 64 * 1024,
    });
    expect(first.blobsUploaded).to.be.greaterThan(0);
    expect(lines.filter((l) => l.method === 'PATCH' && l.status === 202).length).to.be.greaterThan(
      1,
    );
    for (const [i, image] of release.images.entries())
      expect(await headDigest(`site/${path(i).split(':')[0]!}`, path(i).split(':')[1]!)).to.equal(
        image.item.manifestDigest,
      );
    const again = await pushImages({
      source: bundle,
      privateRegistry: `${served.address}/site`,
      host: { plainHttp: true },
    });
    expect(again.blobsUploaded + again.manifestsPushed).to.equal(0);
  });

  it('skopeo copies into it from a distribution registry, and reads back identical digests', async () => {
    const skopeo = requireTool('skopeo', 'skopeo');
    await runTool(skopeo, [
      'copy',
      '--all',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${release.images[0]!.ref}`,
      `docker://${served.address}/skopeo/${path(0)}`,
    ]);
    const raw = await runTool(skopeo, [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${served.address}/skopeo/${path(0)}`,
    ]);
    expect(sha256(raw)).to.equal(release.images[0]!.item.manifestDigest);
  });

  it('containerd pulls from it through the hosts.toml mirror config writes', async () => {
    const containerd = await startContainerd();
    const hosts = await makeTempDir('bmpack-serve-root-ctr-');
    try {
      await mirrorConfig({
        privateRegistry: `${served.address}/site`,
        source: bundle,
        plainHttp: true,
        output: hosts.path,
        installDir: hosts.path,
      });
      const ref = release.images[1]!.ref;
      await containerd.ctr(
        ['images', 'pull', '--hosts-dir', hosts.path, '--snapshotter', 'native', ref],
        {
          timeoutMs: 120_000,
        },
      );
      expect((await imageDigests(containerd)).get(ref)).to.equal(
        release.images[1]!.item.manifestDigest,
      );
    } finally {
      await containerd.stop();
      await hosts.stop();
    }
  });

  it('the write side refuses what distribution refuses: a digest that does not match, a chunk out of order, a manifest whose blobs are missing or whose digest is not its reference; deletes are UNSUPPORTED', async () => {
    const code = async (r: Response) =>
      ((await r.json()) as { errors: Array<{ code: string }> }).errors[0]?.code;
    const post = await fetch(url('/v2/checks/blobs/uploads/'), { method: 'POST' });
    expect(post.status).to.equal(202);
    const location = post.headers.get('location')!;
    expect(post.headers.get('range')).to.equal('0-0');
    const chunk = await fetch(url(location), {
      method: 'PATCH',
      body: 'abc',
      headers: { 'content-range': '0-2', 'content-type': 'application/octet-stream' },
    });
    expect(chunk.status).to.equal(202);
    expect(chunk.headers.get('range')).to.equal('0-2');
    const gap = await fetch(url(location), {
      method: 'PATCH',
      body: 'x',
      headers: { 'content-range': '9-9' },
    });
    expect(gap.status).to.equal(416);
    const wrong = await fetch(url(`${location}?digest=${sha256('nope')}`), { method: 'PUT' });
    expect(wrong.status).to.equal(400);
    expect(await code(wrong)).to.equal('DIGEST_INVALID');
    expect(
      (await fetch(url(`/v2/checks/blobs/${sha256('abc')}`), { method: 'HEAD' })).status,
    ).to.equal(404);
    // A monolithic POST with its digest, then a mount of it into another repository.
    const mono = await fetch(url(`/v2/checks/blobs/uploads/?digest=${sha256('abc')}`), {
      method: 'POST',
      body: 'abc',
    });
    expect(mono.status).to.equal(201);
    expect(mono.headers.get('docker-content-digest')).to.equal(sha256('abc'));
    const mount = await fetch(url(`/v2/other/blobs/uploads/?mount=${sha256('abc')}&from=checks`), {
      method: 'POST',
    });
    expect(mount.status).to.equal(201);
    const config = Buffer.from('{}');
    const manifest = (layer: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 3 }],
      });
    const put = (ref: string, body: string) =>
      fetch(url(`/v2/other/manifests/${ref}`), {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      });
    const missing = await put('v1', manifest(sha256('abc')));
    expect(missing.status).to.equal(400);
    expect(await code(missing)).to.equal('MANIFEST_BLOB_UNKNOWN');
    await fetch(url(`/v2/other/blobs/uploads/?digest=${sha256(config)}`), {
      method: 'POST',
      body: config,
    });
    const body = manifest(sha256('abc'));
    const misnamed = await put(sha256('something else'), body);
    expect(await code(misnamed)).to.equal('DIGEST_INVALID');
    const ok = await put('v1', body);
    expect(ok.status).to.equal(201);
    expect(ok.headers.get('docker-content-digest')).to.equal(sha256(body));
    const del = await fetch(url('/v2/other/manifests/v1'), { method: 'DELETE' });
    expect(del.status).to.equal(405);
    expect(await code(del)).to.equal('UNSUPPORTED');
    const badName = await fetch(url('/v2/Bad..Name/blobs/uploads/'), { method: 'POST' });
    expect(await code(badName)).to.equal('NAME_INVALID');
  });

  it('what it keeps survives a restart, and the directory is an OCI layout skopeo reads', async () => {
    await served.close();
    served = await serveBundles({ sources: [], root, listen: '127.0.0.1:0' });
    expect(await headDigest(`site/${path(2).split(':')[0]!}`, path(2).split(':')[1]!)).to.equal(
      release.images[2]!.item.manifestDigest,
    );
    const catalog = (await (await fetch(url('/v2/_catalog'))).json()) as { repositories: string[] };
    expect(catalog.repositories).to.include.members(['other', `site/${path(0).split(':')[0]!}`]);
    const skopeo = requireTool('skopeo', 'skopeo');
    const raw = await runTool(skopeo, [
      'inspect',
      '--raw',
      `oci:${root}:${path(0).replace(/^/, 'skopeo/')}`,
    ]);
    expect(sha256(raw)).to.equal(release.images[0]!.item.manifestDigest);
  });
});
