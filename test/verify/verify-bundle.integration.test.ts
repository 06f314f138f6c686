import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { exitCodeFor } from '../../src/errors.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { VerifyError } from '../../src/verify/verify-report.js';
import { verifyFailure } from '../rig/verify-failure.js';
import { readXzIndex } from '../../src/xz/index.js';
import { flipByte } from '../bundle-reader/archive-kit.js';
import { buildRelease, type writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import type { RunningRegistry } from '../rig/registry.js';

describe('bundle verify', function () {
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

  /** The big layer of the multi-platform image, and the images that use it. */
  const bigLayer = () => {
    const multi = release.images[0]!;
    if (multi.item.kind !== 'index') throw new Error('fixture: images[0] is an index');
    const layer = multi.item.images[0]!.layers.at(-1)!;
    expect(layer.size).to.be.greaterThan(1_000_000);
    return { layer, users: [multi.ref] };
  };

  /** A copy of `file` with one byte of the big layer's data flipped. */
  const corruptLayer = async (file: string, name: string): Promise<string> => {
    const copy = join(work.dir, name);
    await copyFile(file, copy);
    await copyFile(`${file}.sha256`, `${copy}.sha256`);
    const { layer } = bigLayer();
    const at = (await readFile(copy)).indexOf(layer.data.subarray(100_000, 100_064));
    expect(at).to.be.greaterThan(0);
    await flipByte(copy, at + 10);
    return copy;
  };

  for (const [label, file] of [
    ['.tar.xz', () => xzBundle],
    ['.tar', () => tarBundle],
  ] as const) {
    for (const [workers, transport] of [
      [1, 'process'],
      [2, 'process'],
      [2, 'thread'],
    ] as const) {
      const how =
        workers === 1
          ? 'in this thread'
          : transport === 'thread'
            ? 'with 2 worker threads'
            : 'with 2 worker processes';
      it(`verifies a good ${label} bundle ${how}`, async () => {
        const r = await verifyBundle({ path: file(), workers, transport });
        expect(r.ok).to.equal(true);
        expect(r.problems).to.deep.equal([]);
        expect(r.kind).to.equal('bmpack');
        expect(r.images).to.equal(4);
        expect(r.blobs.total).to.equal(metadata.totals.blobs);
        expect(r.blobs.verified).to.equal(metadata.totals.blobs);
        expect(r.blobs.bytes).to.equal(metadata.totals.bytes);
        expect(r.sidecar?.status).to.equal('match');
        expect(r.fromBase).to.deep.equal([]);
        if (label === '.tar.xz') {
          const blocks = (await readXzIndex(file())).blocks.length;
          expect(blocks).to.be.greaterThan(2);
          expect(r.xz).to.deep.equal({ blocks, verified: blocks });
        } else expect(r.xz).to.equal(null);
      });
    }
  }

  it('names the corrupt layer and its image when one byte of a .tar changes (exit 7)', async () => {
    const copy = await corruptLayer(tarBundle, 'flipped.tar');
    const err = await verifyFailure(verifyBundle({ path: copy, workers: 2 }));
    expect(err).to.be.instanceOf(VerifyError);
    const { layer, users } = bigLayer();
    expect(err.code).to.equal('E_DIGEST_MISMATCH');
    expect(err.exitCode).to.equal(exitCodeFor('E_DIGEST_MISMATCH'));
    expect(err.message).to.contain(layer.digest).and.contain(users[0]!);
    const report = err.report;
    const blobProblems = report.problems.filter((p) => p.check === 'blobs');
    expect(blobProblems).to.have.length(1);
    expect(blobProblems[0]).to.include({ code: 'E_DIGEST_MISMATCH', blob: layer.digest });
    expect(blobProblems[0]!.images).to.deep.equal(users);
    // The sidecar no longer matches either.
    expect(report.sidecar?.status).to.equal('mismatch');
    expect(report.blobs.verified).to.equal(metadata.totals.blobs - 1);
  });

  it('names the damaged xz block, the layer in it and its image when one byte of a .tar.xz changes (exit 11)', async () => {
    const copy = await corruptLayer(xzBundle, 'flipped.tar.xz');
    const err = await verifyFailure(verifyBundle({ path: copy, workers: 2 }));
    const { layer, users } = bigLayer();
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(err.exitCode).to.equal(exitCodeFor('E_XZ_INVALID'));
    expect(err.message).to.contain(layer.digest).and.contain(users[0]!).and.contain('CRC32');
    const report = err.report;
    const xz = report.problems.find((p) => p.check === 'xz');
    expect(xz).to.include({ blob: layer.digest });
    expect(xz!.images).to.deep.equal(users);
    expect(report.xz!.verified).to.equal(report.xz!.blocks - 1);
  });

  it('fails on truncated bundles before reading any blob: E_XZ_INVALID and E_BUNDLE_INVALID', async () => {
    for (const [file, code] of [
      [xzBundle, 'E_XZ_INVALID'],
      [tarBundle, 'E_BUNDLE_INVALID'],
    ] as const) {
      const cut = join(work.dir, `cut-${file.endsWith('.xz') ? 'xz' : 'tar'}`);
      await copyFile(file, cut);
      await truncate(cut, Math.floor((await readFile(file)).length * 0.7));
      const err = await verifyFailure(verifyBundle({ path: cut }));
      expect(err.code, err.message).to.equal(code);
      expect(err.exitCode).to.equal(11);
      expect(err.report.problems[0]!.check).to.equal('open');
    }
  });

  it('reports a .sha256 sidecar that does not match the file', async () => {
    const copy = join(work.dir, 'sidecar.tar.xz');
    await copyFile(xzBundle, copy);
    await writeFile(`${copy}.sha256`, `${'0'.repeat(64)}  sidecar.tar.xz\n`);
    const err = await verifyFailure(verifyBundle({ path: copy }));
    expect(err.code).to.equal('E_DIGEST_MISMATCH');
    const report = err.report;
    expect(report.problems).to.have.length(1);
    expect(report.problems[0]!.check).to.equal('sidecar');
    expect(report.sidecar).to.include({ status: 'mismatch', expected: '0'.repeat(64) });
    expect(report.blobs.verified).to.equal(metadata.totals.blobs);
  });
});
