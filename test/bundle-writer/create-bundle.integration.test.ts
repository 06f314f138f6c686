import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle, type CreateBundleOptions } from '../../src/bundle-writer/create-bundle.js';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { sha256Digest } from '../../src/content/digest.js';
import { parsePlatform } from '../../src/oci/platform.js';
import { pythonDecode, wasmDecode } from '../xz/xz-kit.js';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { startFaultProxy, startStaticStorage, type FaultProxy } from '../rig/fault-proxy.js';
import { runTool } from '../rig/processes.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';
import { rejection } from '../rig/rejection.js';

describe('bundle create', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  const refs = () => release.images.map((i) => i.ref.replace(reg.host, proxy.host));

  before(async () => {
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg);
    proxy = await startFaultProxy(reg);
    work = await writeImageSet(release.images.map((i) => i.ref.replace(reg.host, proxy.host)));
  });
  after(async () => {
    await work.cleanup();
    await proxy.stop();
    await reg.stop();
  });

  const options = (
    name: string,
    extra: Partial<CreateBundleOptions> = {},
  ): CreateBundleOptions => ({
    manifests: [work.file],
    output: join(work.dir, name),
    cacheDir: join(work.dir, `cache-${name}`),
    insecureRegistries: [proxy.host],
    env: {},
    ...extra,
  });

  it('fetches every blob once, keeps each once, and reports the dedupe', async () => {
    proxy.requests.length = 0;
    const result = await createBundle(options('a.tar.xz'));
    expect(result.images).to.equal(4);
    expect(result.blobs).to.equal(release.uniqueBlobs + release.uniqueDocuments);
    expect(result.fetchedBlobs).to.equal(release.uniqueBlobs);
    expect(result.dedupedBytes).to.be.greaterThan(200_000); // the base layer, shared by two listed images
    const blobGets = proxy.requests
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'))
      .map((r) => r.path.split('/blobs/')[1]);
    expect(new Set(blobGets).size).to.equal(blobGets.length);
    const sidecar = await readFile(`${result.output}.sha256`, 'utf8');
    expect(sidecar).to.equal(`${result.sha256}  a.tar.xz\n`);
  });

  it('writes a bundle that xz, tar, xz-decompress and python lzma accept', async () => {
    const file = join(work.dir, 'a.tar.xz');
    await runTool(requireTool('xz', 'xz-utils'), ['-t', file]);
    const listing = (await runTool(requireTool('tar', 'tar'), ['-tJf', file]))
      .toString()
      .trim()
      .split('\n');
    expect(listing.slice(0, 5)).to.deep.equal([
      'oci-layout',
      'bmpack.json',
      'index.json',
      'blobs/',
      'blobs/sha256/',
    ]);
    const viaWasm = sha256Digest(await wasmDecode(file));
    expect(sha256Digest(await pythonDecode(file))).to.equal(viaWasm);
    const viaXz = sha256Digest(await runTool(requireTool('xz', 'xz-utils'), ['-dc', file]));
    expect(viaWasm).to.equal(viaXz);
  });

  it('round-trips: the extracted layout holds every image byte for byte, and skopeo copies the OCI ones', async () => {
    const out = join(work.dir, 'extract');
    await mkdir(out);
    await runTool(requireTool('tar', 'tar'), ['-xJf', join(work.dir, 'a.tar.xz'), '-C', out]);
    const meta = JSON.parse(await readFile(join(out, 'bmpack.json'), 'utf8')) as BundleMetadata;
    for (const blob of meta.blobs) {
      expect(
        sha256Digest(await readFile(join(out, 'blobs', 'sha256', blob.digest.slice(7)))),
      ).to.equal(blob.digest);
    }
    const skopeo = requireTool('skopeo', 'skopeo');
    for (const [i, img] of release.images.entries()) {
      expect(meta.images[i]!.digest).to.equal(img.item.manifestDigest);
      // skopeo 1.9's oci: transport skips index.json entries with Docker media types.
      if (img.item.format === 'docker') continue;
      const ref = refs()[i]!;
      const raw = await runTool(skopeo, ['inspect', '--raw', `oci:${out}:${ref}`]);
      expect(sha256Digest(raw)).to.equal(img.item.manifestDigest);
      const target = `docker://${reg.host}/roundtrip/${i}:copied`;
      await runTool(skopeo, [
        '--insecure-policy',
        'copy',
        '--all',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${out}:${ref}`,
        target,
      ]);
      const back = await runTool(skopeo, ['inspect', '--raw', '--tls-verify=false', target]);
      expect(sha256Digest(back)).to.equal(img.item.manifestDigest);
    }
  });

  it('is byte-identical whether blobs go straight into it or through the cache, and from a warm cache', async () => {
    const cacheDir = join(work.dir, 'cache-warm');
    const cached = await createBundle(options('b.tar.xz', { cacheDir, cacheBlobs: true }));
    const warm = await createBundle(options('c.tar.xz', { cacheDir }));
    const a = await readFile(join(work.dir, 'a.tar.xz'));
    expect(cached.fetchedBlobs).to.equal(release.uniqueBlobs);
    expect(warm.fetchedBlobs).to.equal(0);
    expect(warm.sha256).to.equal(cached.sha256);
    expect(sha256Digest(a)).to.equal(`sha256:${cached.sha256}`);
  });

  it('writes each fetched layer once, into the bundle: only the configs the walk read are left in the cache', async () => {
    const cacheDir = join(work.dir, 'cache-once');
    await createBundle(options('once.tar.xz', { cacheDir }));
    const kept = await readdir(join(cacheDir, 'blobs', 'sha256'));
    const configs = new Set(
      release.images
        .flatMap((i) => (i.item.kind === 'index' ? i.item.images : [i.item]))
        .map((m) => m.configDigest.slice('sha256:'.length)),
    );
    expect(kept.length).to.be.greaterThan(0);
    expect(kept.filter((name) => !configs.has(name))).to.deep.equal([]);
  });

  it('re-hashes cached blobs it did not fetch: a corrupt cache entry fails the build, is removed, and the next build is whole', async () => {
    const cacheDir = join(work.dir, 'cache-warm');
    const victim =
      release.images[0]!.item.kind === 'index'
        ? release.images[0]!.item.images[0]!.layers.at(-1)!
        : undefined;
    const path = join(cacheDir, 'blobs', 'sha256', victim!.digest.slice(7));
    const bytes = await readFile(path);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    const err = await rejection(createBundle(options('corrupt.tar.xz', { cacheDir })));
    expect(err.code).to.equal('E_DIGEST_MISMATCH');
    expect(err.message).to.contain(victim!.digest);
    expect(await exists(path)).to.equal(false);
    expect(await exists(join(work.dir, 'corrupt.tar.xz'))).to.equal(false);
    const healed = await createBundle(options('healed.tar.xz', { cacheDir }));
    expect(healed.fetchedBlobs).to.equal(1);
    expect(`sha256:${healed.sha256}`).to.equal(
      sha256Digest(await readFile(join(work.dir, 'a.tar.xz'))),
    );
  });

  it('keeps nothing of a blob the registry serves altered: no cache entry, no temp file, no output', async () => {
    const victim =
      release.images[0]!.item.kind === 'index'
        ? release.images[0]!.item.images[0]!.layers.at(-1)!
        : undefined;
    const altered = Buffer.from(victim!.data);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0xff;
    const storage = await startStaticStorage();
    storage.put(`/store/${victim!.digest}`, altered);
    proxy.addRule({
      match: (r) => r.method === 'GET' && r.path.endsWith(`/blobs/${victim!.digest}`),
      action: {
        kind: 'redirect',
        status: 307,
        location: `${storage.origin}/store/${victim!.digest}`,
      },
    });
    const cacheDir = join(work.dir, 'cache-altered');
    try {
      const err = await rejection(createBundle(options('altered.tar.xz', { cacheDir })));
      expect(err.code).to.equal('E_DIGEST_MISMATCH');
      expect(err.message).to.contain(victim!.digest);
    } finally {
      proxy.clearRules();
      await storage.stop();
    }
    const cached = await readdir(join(cacheDir, 'blobs', 'sha256'));
    expect(cached.filter((name) => name.includes(victim!.digest.slice(7)))).to.deep.equal([]);
    expect(await exists(join(work.dir, 'altered.tar.xz'))).to.equal(false);
  });

  it('fails before pulling anything when the output folder does not exist', async () => {
    proxy.requests.length = 0;
    const output = join(work.dir, 'no-such-folder', 'x.tar.xz');
    const err = await rejection(createBundle(options('unused.tar.xz', { output })));
    expect(err.code).to.equal('E_IO');
    expect(err.message).to.contain(join(work.dir, 'no-such-folder'));
    expect(err.hint).to.contain('does not exist');
    expect(proxy.requests).to.deep.equal([]);
  });

  it('filters platforms, records the original index digest, and writes a plain tar on request', async () => {
    const multiOnly = await writeImageSet([refs()[0]!, refs()[2]!]);
    const result = await createBundle(
      options('arm.tar', {
        manifests: [multiOnly.file],
        platforms: [parsePlatform('linux/arm64')],
      }),
    );
    await multiOnly.cleanup();
    const tarFile = result.output;
    const out = join(work.dir, 'arm');
    await mkdir(out);
    await runTool(requireTool('tar', 'tar'), ['-xf', tarFile, '-C', out]);
    const meta = JSON.parse(await readFile(join(out, 'bmpack.json'), 'utf8')) as BundleMetadata;
    const multi = meta.images[0]!;
    expect(multi.platforms).to.deep.equal(['linux/arm64/v8']);
    expect(multi.originalIndexDigest).to.equal(release.images[0]!.item.manifestDigest);
    expect(multi.digest).to.not.equal(multi.originalIndexDigest);
    const index = JSON.parse(
      await readFile(join(out, 'blobs', 'sha256', multi.digest.slice(7)), 'utf8'),
    ) as { manifests: unknown[] };
    expect(index.manifests).to.have.length(1);
    expect(meta.images[1]!.platforms).to.deep.equal(['linux/arm64']);
    expect(meta.images).to.have.length(2);
  });

  it('fails naming the image and the platform when a requested platform is missing, leaving no file', async () => {
    const err = await rejection(
      createBundle(options('s390x.tar.xz', { platforms: [parsePlatform('linux/s390x')] })),
    );
    expect(err.code).to.equal('E_PLATFORM_MISSING');
    expect(err.message).to.contain('linux/s390x');
    // Every listed image lacks s390x; images resolve concurrently, so any of them may be named.
    expect(refs()).to.include(err.details.image);
    expect(err.message).to.contain(String(err.details.image));
    expect(await exists(join(work.dir, 's390x.tar.xz'))).to.equal(false);
  });

  it('records a creation time only when SOURCE_DATE_EPOCH is set', async () => {
    const result = await createBundle(
      options('dated.tar', { env: { SOURCE_DATE_EPOCH: '1700000000' } }),
    );
    const listing = (await runTool(requireTool('tar', 'tar'), ['-tvf', result.output])).toString();
    expect(listing).to.contain('2023-11-14');
    const again = await createBundle(
      options('dated2.tar', { env: { SOURCE_DATE_EPOCH: '1700000000' } }),
    );
    expect(again.sha256).to.equal(result.sha256);
    const names = await readdir(work.dir);
    expect(names.filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
  });
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
