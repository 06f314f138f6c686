import { copyFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { exitCodeFor } from '../../src/errors.js';
import { inspectBundle } from '../../src/inspect/inspect-bundle.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { verifyFailure } from '../rig/verify-failure.js';
import { readXzIndex } from '../../src/xz/index.js';
import { flipByte, runSkopeo, tar, xz } from '../bundle-reader/archive-kit.js';
import { buildRelease, type writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import type { RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { rejection } from '../rig/rejection.js';

describe('bundle inspect', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let xzBundle: string;
  let tarBundle: string;
  let metadata: BundleMetadata;

  before(async () => {
    ({ reg, release, work, xzBundle, tarBundle, metadata } = await buildRelease());
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
  });

  const expectedImages = () =>
    release.images.map((img, i) => ({
      ref: img.ref,
      digest: img.item.manifestDigest,
      mediaType: img.item.mediaType,
      platforms: metadata.images[i]!.platforms,
      size: metadata.images[i]!.bytes,
      referrers: [],
    }));

  for (const [label, file] of [
    ['.tar.xz', () => xzBundle],
    ['.tar', () => tarBundle],
  ] as const) {
    it(`lists images, platforms, sizes and totals of a ${label} bundle`, async () => {
      const r = await inspectBundle(file());
      expect(r).to.deep.include({
        kind: 'bmpack',
        format: 'bmpack.io/bundle/v1',
        tool: metadata.tool,
        name: 'test-release',
        version: '1.0.0',
        blobs: release.uniqueBlobs + release.uniqueDocuments,
        bytes: metadata.totals.bytes,
        dedupedBytes: metadata.totals.dedupedBytes,
      });
      expect(r.images).to.deep.equal(expectedImages());
      expect(r.images[0]!.platforms).to.deep.equal(['linux/amd64', 'linux/arm64/v8']);
      expect(r.images[1]!.platforms).to.deep.equal(['linux/amd64']);
      expect(r.dedupedBytes).to.be.greaterThan(200_000);
      expect(r.base).to.equal(undefined);
    });
  }

  it('reads only the front: with every later xz block damaged it still answers, and verify finds the damage', async () => {
    const copy = join(work.dir, 'late-damage.tar.xz');
    await copyFile(xzBundle, copy);
    const index = await readXzIndex(copy);
    expect(index.blocks.length).to.be.greaterThan(2);
    for (const block of index.blocks.slice(1)) {
      await flipByte(copy, block.compressedOffset + Math.floor(block.totalSize / 2));
    }
    const r = await inspectBundle(copy);
    expect(r.images).to.deep.equal(expectedImages());
    expect(r.bytes).to.equal(metadata.totals.bytes);
    const err = await verifyFailure(verifyBundle({ path: copy }));
    expect(err.code).to.equal('E_XZ_INVALID');
    const xzProblems = err.report.problems.filter((p) => p.check === 'xz');
    expect(xzProblems).to.have.length(index.blocks.length - 1);
  });

  it('reads only the front of a .tar: a corrupt layer further in does not show', async () => {
    const copy = join(work.dir, 'late-damage.tar');
    await copyFile(tarBundle, copy);
    const layer = metadata.blobs.at(-1)!;
    const at = (await readFile(copy)).indexOf(`blobs/sha256/${layer.digest.slice(7)}\0`);
    await flipByte(copy, at + 512 + 100);
    expect((await inspectBundle(copy)).images).to.deep.equal(expectedImages());
    expect((await verifyFailure(verifyBundle({ path: copy }))).code).to.equal('E_DIGEST_MISMATCH');
  });

  it('fails on truncated bundles with the bundle error codes (exit 11)', async () => {
    for (const [file, code] of [
      [xzBundle, 'E_XZ_INVALID'],
      [tarBundle, 'E_BUNDLE_INVALID'],
    ] as const) {
      const cut = join(work.dir, `cut-${file.endsWith('.xz') ? 'xz' : 'tar'}`);
      await copyFile(file, cut);
      await truncate(cut, (await readFile(file)).length - 4096);
      const err = await rejection(inspectBundle(cut));
      expect(err.code, err.message).to.equal(code);
      expect(err.exitCode).to.equal(exitCodeFor(code));
      expect(err.exitCode).to.equal(11);
    }
  });

  describe('foreign bundles: a skopeo OCI layout in a tar.xz (inspect, verify)', () => {
    let foreign: string;
    const image = makeImage({ seed: 451, layers: 2, layerSize: 30_000, format: 'oci' });

    before(async () => {
      await seedImage(reg, image, 'team/app:1.2');
      const layout = join(work.dir, 'layout');
      await mkdir(layout);
      await runSkopeo(work.dir, [
        'copy',
        '--src-tls-verify=false',
        `docker://${reg.host}/team/app:1.2`,
        `oci:${layout}:team/app:1.2`,
      ]);
      const tarFile = join(work.dir, 'foreign.tar');
      await runTool(tar(), ['-cf', tarFile, '-C', layout, '.']);
      await runTool(xz(), ['-k', tarFile]);
      foreign = `${tarFile}.xz`;
    });

    it('inspects it: platform from the config, size = closure bytes', async () => {
      const r = await inspectBundle(foreign);
      const closure =
        image.manifest.length + image.config.length + image.layers.reduce((s, l) => s + l.size, 0);
      expect(r).to.deep.include({
        kind: 'oci-layout',
        format: 'oci-layout',
        tool: null,
        name: null,
        version: null,
        blobs: 2 + image.layers.length,
        bytes: closure,
        dedupedBytes: 0,
        warnings: [],
      });
      expect(r.images).to.deep.equal([
        {
          ref: 'team/app:1.2',
          digest: image.manifestDigest,
          mediaType: image.mediaType,
          platforms: ['linux/amd64'],
          size: closure,
          referrers: [],
        },
      ]);
    });

    it('inspects and verifies a docker save archive made by skopeo', async () => {
      const archive = join(work.dir, 'app.docker.tar');
      await runSkopeo(work.dir, [
        'copy',
        '--src-tls-verify=false',
        `docker://${reg.host}/team/app:1.2`,
        `docker-archive:${archive}:team/app:1.2`,
      ]);
      const r = await inspectBundle(archive);
      expect(r).to.deep.include({ kind: 'docker-archive', format: 'docker-archive', name: null });
      expect(r.images).to.have.length(1);
      expect(r.images[0]!.ref).to.contain('team/app:1.2');
      expect(r.images[0]!.platforms).to.deep.equal(['linux/amd64']);
      const v = await verifyBundle({ path: archive, workers: 2 });
      expect(v.ok).to.equal(true);
      expect(v.blobs.verified).to.equal(1 + image.layers.length);
      expect(v.xz).to.equal(null);
    });

    it('verifies it, and names the layer and image when a byte of it changes', async () => {
      const r = await verifyBundle({ path: foreign, workers: 2 });
      expect(r.ok).to.equal(true);
      expect(r.kind).to.equal('oci-layout');
      expect(r.blobs.verified).to.equal(2 + image.layers.length);
      expect(r.xz).to.deep.equal({ blocks: 1, verified: 1 });
      const broken = join(work.dir, 'foreign-broken.tar');
      await copyFile(join(work.dir, 'foreign.tar'), broken);
      const layer = image.layers[1]!;
      await flipByte(broken, (await readFile(broken)).indexOf(layer.data.subarray(500, 564)) + 3);
      const err = await verifyFailure(verifyBundle({ path: broken }));
      expect(err.code).to.equal('E_DIGEST_MISMATCH');
      expect(err.message).to.contain(layer.digest).and.contain('team/app:1.2');
    });
  });
});
