import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { createBundle, type CreateBundleOptions } from '../../src/bundle-writer/create-bundle.js';
import { flipByte } from '../bundle-reader/archive-kit.js';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface ErrorOut {
  error: { code: string; message: string; exitCode: number };
}

describe('bmpack bundle inspect, bundle verify and create --since (commands)', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;

  const options = (
    name: string,
    extra: Partial<CreateBundleOptions> = {},
  ): CreateBundleOptions => ({
    manifests: [work.file],
    output: join(work.dir, name),
    cacheDir: join(work.dir, 'cache'),
    insecureRegistries: [reg.host],
    env: {},
    ...extra,
  });

  before(async () => {
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg);
    work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = (await createBundle(options('bmpackages_1.0.0.tar.xz'))).output;
  });
  after(async () => {
    await work.cleanup();
    await reg.stop();
  });

  it('bundle inspect --json prints format, name, version, images and totals', async () => {
    const { stdout, error } = await runCommand(['bundle', 'inspect', bundle, '--json'], { root });
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as Record<string, unknown> & {
      images: Array<Record<string, unknown>>;
    };
    expect(out).to.include({
      format: 'bmpack.io/bundle/v1',
      name: 'test-release',
      version: '1.0.0',
    });
    expect(out.blobs).to.equal(release.uniqueBlobs + release.uniqueDocuments);
    expect(out).to.have.property('bytes').that.is.a('number');
    expect(out).to.have.property('dedupedBytes').that.is.greaterThan(0);
    expect(out.images).to.have.length(4);
    expect(Object.keys(out.images[0]!)).to.have.members([
      'ref',
      'digest',
      'mediaType',
      'platforms',
      'size',
      'referrers',
    ]);
    expect(out.images[0]).to.include({ ref: release.images[0]!.ref });
    expect(out.images[0]!.referrers).to.deep.equal([]);
  });

  it('bundle inspect prints one line per image for people', async () => {
    const { stdout, error } = await runCommand(['bundle', 'inspect', bundle], { root });
    expect(error).to.equal(undefined);
    expect(stdout).to.contain('bmpack bundle test-release 1.0.0');
    for (const img of release.images)
      expect(stdout).to.contain(img.ref).and.contain(img.item.manifestDigest);
    expect(stdout).to.contain('linux/amd64, linux/arm64/v8');
  });

  it('bundle verify passes a good bundle, with every check shown', async () => {
    const { stdout, error } = await runCommand(['bundle', 'verify', bundle, '--workers', '2'], {
      root,
    });
    expect(error).to.equal(undefined);
    expect(stdout).to.contain(`verified ${bundle}`);
    expect(stdout).to.match(/ok +xz: (\d+) of \1 blocks/);
    expect(stdout).to.contain('sidecar').and.contain('matches');
  });

  it('bundle verify --json of a corrupt bundle prints the report and the error, and exits 7', async () => {
    const copy = join(work.dir, 'corrupt.tar.xz');
    await copyFile(bundle, copy);
    await writeFile(`${copy}.sha256`, `${'1'.repeat(64)}  corrupt.tar.xz\n`);
    const { stdout, error } = await runCommand(['bundle', 'verify', copy, '--json'], { root });
    expect(error?.oclif?.exit).to.equal(7);
    const out = JSON.parse(stdout) as ErrorOut & {
      ok: boolean;
      problems: Array<{ check: string }>;
    };
    expect(out.ok).to.equal(false);
    expect(out.error.code).to.equal('E_DIGEST_MISMATCH');
    expect(out.problems.map((p) => p.check)).to.deep.equal(['sidecar']);
  });

  it('bundle verify names the damaged layer and image for people, and exits 11', async () => {
    const copy = join(work.dir, 'damaged.tar.xz');
    await copyFile(bundle, copy);
    const multi = release.images[0]!;
    if (multi.item.kind !== 'index') throw new Error('fixture: images[0] is an index');
    const layer = multi.item.images[0]!.layers.at(-1)!;
    await flipByte(copy, (await readFile(copy)).indexOf(layer.data.subarray(1000, 1064)) + 5);
    const { stdout, stderr, error } = await runCommand(['bundle', 'verify', copy], { root });
    expect(error?.oclif?.exit).to.equal(11);
    expect(stdout).to.contain(`FAILED ${copy}`).and.contain(layer.digest).and.contain(multi.ref);
    expect(stderr).to.contain('E_XZ_INVALID');
  });

  it('bundle create --since writes a delta and says what it left to the base', async () => {
    const { stdout, error } = await runCommand(
      [
        'bundle',
        'create',
        '--manifest',
        work.file,
        '--insecure-registry',
        reg.host,
        '--cache-dir',
        join(work.dir, 'cache'),
        '--since',
        bundle,
        '--output',
        join(work.dir, 'delta.tar.xz'),
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as {
      base: { name: string; version: string };
      blobs: number;
      omittedBlobs: number;
    };
    expect(out.base).to.include({ name: 'test-release', version: '1.0.0' });
    // The same release against itself: only manifests and indexes remain.
    expect(out.omittedBlobs).to.equal(release.uniqueBlobs);
    expect(out.blobs).to.equal(release.uniqueDocuments);
    const inspected = await runCommand(['bundle', 'inspect', join(work.dir, 'delta.tar.xz')], {
      root,
    });
    expect(inspected.stdout).to.contain('delta of test-release 1.0.0');
  });
});
