import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle, type CreateBundleOptions } from '../../src/bundle-writer/create-bundle.js';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { sha256Digest } from '../../src/content/digest.js';
import type { ProgressEvent } from '../../src/events.js';
import { inspectBundle } from '../../src/inspect/inspect-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import { parseReference } from '../../src/reference/index.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { clientFor } from '../rig/registry-client.js';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { runTool } from '../rig/processes.js';
import { startFaultProxy } from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';
import { rejection } from '../rig/rejection.js';

describe('delta bundles (bundle create --since)', function () {
  this.timeout(180_000);
  let src: RunningRegistry;
  let release: ReleaseFixture;
  let v1: Awaited<ReturnType<typeof writeImageSet>>;
  let v2: Awaited<ReturnType<typeof writeImageSet>>;
  let base: string;
  let full: string;
  let delta: string;
  /** Configs and layers of release 1 (the multi-platform image), which release 2 keeps. */
  let shared: Map<string, number>;

  const options = (
    set: { file: string },
    name: string,
    extra: Partial<CreateBundleOptions> = {},
  ): CreateBundleOptions => ({
    manifests: [set.file],
    output: join(v2.dir, name),
    cacheDir: join(v2.dir, 'cache'),
    // The later builds find every blob of the first ones there.
    cacheBlobs: true,
    insecureRegistries: [src.host],
    env: {},
    ...extra,
  });
  const metadataOf = async (file: string): Promise<BundleMetadata> =>
    JSON.parse(
      (await runTool(requireTool('tar', 'tar'), ['-xOJf', file, 'bmpack.json'])).toString(),
    ) as BundleMetadata;

  before(async () => {
    src = await startRegistry('anonymous');
    release = await seedRelease(src);
    v1 = await writeImageSet([release.images[0]!.ref], '1.0.0');
    v2 = await writeImageSet(
      release.images.map((i) => i.ref),
      '2.0.0',
    );
    base = (await createBundle(options(v1, 'bmpackages_1.0.0.tar.xz'))).output;
    full = (await createBundle(options(v2, 'full-2.0.0.tar.xz'))).output;
    delta = (await createBundle(options(v2, 'delta-2.0.0.tar.xz', { since: base }))).output;
    const multi = release.images[0]!.item;
    if (multi.kind !== 'index') throw new Error('fixture: images[0] is an index');
    shared = new Map(
      multi.images.flatMap((i) => [
        [i.configDigest, i.config.length] as const,
        ...i.layers.map((l) => [l.digest, l.size] as const),
      ]),
    );
  });
  after(async () => {
    await v1.cleanup();
    await v2.cleanup();
    await src.stop();
  });

  it('holds every manifest of the new release but only the configs and layers the base lacks', async () => {
    const [f, d] = [await metadataOf(full), await metadataOf(delta)];
    const sharedBytes = [...shared.values()].reduce((s, n) => s + n, 0);
    expect(shared.size).to.equal(5); // two configs, the shared base layer and one layer each
    expect(d.images).to.deep.equal(f.images);
    expect(d.blobs.map((b) => b.digest)).to.deep.equal(
      f.blobs.filter((b) => !shared.has(b.digest)).map((b) => b.digest),
    );
    expect(d.blobs.filter((b) => b.kind === 'manifest' || b.kind === 'index')).to.have.length(
      release.uniqueDocuments,
    );
    expect(d.totals).to.deep.equal({
      images: 4,
      blobs: release.uniqueBlobs + release.uniqueDocuments - shared.size,
      bytes: f.totals.bytes - sharedBytes,
      // The base layer, the only blob two images share, is left to the base.
      dedupedBytes: 0,
    });
    const saved = (await stat(full)).size - (await stat(delta)).size;
    expect(saved).to.be.at.least(sharedBytes);
    expect(saved).to.be.below(sharedBytes + shared.size * 2048);
  });

  it('records its base: name, version, and the sha256 of its file', async () => {
    const d = await metadataOf(delta);
    const sha = sha256Digest(await readFile(base)).slice('sha256:'.length);
    expect(d.base).to.deep.equal({ name: 'test-release', version: '1.0.0', sha256: sha });
    expect(await readFile(`${base}.sha256`, 'utf8')).to.equal(`${sha}  bmpackages_1.0.0.tar.xz\n`);
    const inspection = await inspectBundle(delta);
    expect(inspection.base).to.deep.equal(d.base);
    expect(inspection.blobs).to.equal(d.totals.blobs);
    expect(inspection.images.map((i) => i.size)).to.deep.equal(d.images.map((i) => i.bytes));
  });

  it('hashes the base itself when its sidecar is missing or names another file, and the delta is the same', async () => {
    const copy = join(v2.dir, 'base-copy.tar.xz');
    await copyFile(base, copy);
    const again = await createBundle(options(v2, 'delta-again.tar.xz', { since: copy }));
    expect(again.base).to.deep.equal((await metadataOf(delta)).base);
    await writeFile(`${copy}.sha256`, `${'a'.repeat(64)}  other.tar.xz\n`);
    const events: ProgressEvent[] = [];
    const third = await createBundle(
      options(v2, 'delta-third.tar.xz', { since: copy, onEvent: (e) => events.push(e) }),
    );
    expect(third.sha256).to.equal(again.sha256);
    expect(events.some((e) => e.type === 'warning' && e.message.includes('hashing'))).to.equal(
      true,
    );
    const original = await createBundle(options(v2, 'delta-4.tar.xz', { since: base }));
    expect(original.sha256).to.equal(again.sha256);
    expect(original.omittedBlobs).to.equal(shared.size);
    expect(original.fetchedBlobs).to.equal(0);
  });

  it('verifies: everything inside checks out, and what the base must supply is listed with its images', async () => {
    const r = await verifyBundle({ path: delta, workers: 2 });
    expect(r.ok).to.equal(true);
    expect(r.base?.version).to.equal('1.0.0');
    expect(new Set(r.fromBase.map((b) => b.digest))).to.deep.equal(new Set(shared.keys()));
    for (const b of r.fromBase) {
      expect(b.size).to.equal(shared.get(b.digest));
      expect(b.images).to.include(release.images[0]!.ref);
    }
    const baseLayer = r.fromBase.find((b) => b.images.length === 2);
    expect(baseLayer?.images).to.deep.equal([release.images[0]!.ref, release.images[1]!.ref]);
  });

  async function tagDigest(reg: RunningRegistry, ref: string): Promise<string | undefined> {
    const client = clientFor(reg);
    try {
      return (await client.headManifest(parseReference(`${reg.host}/${ref}`)))?.digest;
    } finally {
      await client.close();
    }
  }
  const paths = () => release.images.map((i) => i.ref.slice(src.host.length + 1));

  it('pushed after its base into an empty registry, yields every image of the new release', async () => {
    const reg = await startRegistry('anonymous');
    try {
      const push = (source: string) =>
        pushImages({ source, privateRegistry: `${reg.host}/site`, host: { plainHttp: true } });
      expect((await push(base)).images).to.equal(1);
      const second = await push(delta);
      expect(second.images).to.equal(4);
      expect(second.blobsSkipped).to.be.at.least(shared.size);
      for (const [i, img] of release.images.entries()) {
        expect(await tagDigest(reg, `site/${paths()[i]!}`)).to.equal(img.item.manifestDigest);
      }
    } finally {
      await reg.stop();
    }
  });

  it('pushed alone into an empty registry, is refused naming its base, and nothing is written', async () => {
    const reg = await startRegistry('anonymous');
    // Watches every request: the closure check comes before any write.
    const proxy = await startFaultProxy(reg);
    try {
      const err = await rejection(
        pushImages({
          source: delta,
          privateRegistry: `${proxy.host}/site`,
          host: { plainHttp: true },
        }),
      );
      // The repository-name preflight opens upload sessions and cancels them: no write.
      const probe = (r: { method: string; path: string }): boolean =>
        (r.method === 'POST' && r.path.endsWith('/blobs/uploads/')) ||
        (r.method === 'DELETE' && r.path.includes('/blobs/uploads/'));
      const writes = proxy.requests.filter(
        (r) => r.method !== 'GET' && r.method !== 'HEAD' && !probe(r),
      );
      expect(writes.map((r) => `${r.method} ${r.path}`)).to.deep.equal([]);
      const sessions = proxy.requests.filter((r) => r.method === 'POST');
      expect(proxy.requests.filter((r) => r.method === 'DELETE')).to.have.length(sessions.length);
      expect(proxy.requests.filter((r) => r.method === 'HEAD').length).to.be.greaterThan(0);
      expect(err.code).to.equal('E_CLOSURE_MISSING');
      expect(err.message)
        .to.contain('Nothing was pushed')
        .and.contain('delta of test-release 1.0.0');
      expect(err.hint).to.contain('test-release 1.0.0');
      expect(err.hint).to.contain(sha256Digest(await readFile(base)).slice('sha256:'.length));
      for (const p of paths()) expect(await tagDigest(reg, `site/${p}`)).to.equal(undefined);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });
});
