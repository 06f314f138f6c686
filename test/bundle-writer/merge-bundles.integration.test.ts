/**
 * bundle merge (issue 17, item 3): a base and its delta into one full
 * bundle, read in place from both, each blob once, verified; a tag moved
 * between them is a conflict unless the later bundle wins; the same inputs
 * give the same bytes; a delta without its base is refused naming the
 * blob; signatures recorded in bmpack.json survive. Proven against a real
 * registry: the merged bundle verifies and pushes with the digests of the
 * newer release.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { mergeBundles } from '../../src/bundle-writer/merge-bundles.js';
import { pushImages } from '../../src/push/push-images.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { cosignSign, makeKey } from '../rig/cosign.js';
import { makeImage } from '../rig/image-generator.js';
import { clientFor, digestAt } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { seedImage } from '../rig/seed.js';
import { rejection } from '../rig/rejection.js';
import { errorOf, why } from '../reliability/network-faults-kit.js';

describe('bundle merge: a base and its deltas into one full bundle', function () {
  this.timeout(180_000);
  let src: RunningRegistry;
  let target: RunningRegistry;
  let v1: Awaited<ReturnType<typeof writeImageSet>>;
  let v2: Awaited<ReturnType<typeof writeImageSet>>;
  let base = '';
  let delta = '';
  const a = makeImage({ seed: 701, layers: 2, layerSize: 40_000, format: 'oci' });
  const b1 = makeImage({ seed: 702, layers: 2, layerSize: 40_000, format: 'docker' });
  const b2 = makeImage({ seed: 703, layers: 2, layerSize: 40_000, format: 'docker' });
  const c = makeImage({ seed: 704, layers: 1, layerSize: 30_000, format: 'oci' });
  let sigTag = '';

  const create = (set: { file: string; dir: string }, name: string, since?: string) =>
    createBundle({
      manifests: [set.file],
      output: join(v2.dir, name),
      cacheDir: join(v2.dir, 'cache'),
      insecureRegistries: [src.host],
      env: {},
      ...(since !== undefined ? { since } : {}),
    }).then((r) => r.output);

  before(async () => {
    src = await startRegistry('anonymous');
    target = await startRegistry('anonymous');
    await seedImage(src, a, 'app/a:1');
    await seedImage(src, b1, 'app/b:1');
    const client = clientFor(src);
    try {
      sigTag = (
        await cosignSign(
          client,
          { registry: src.host, repository: 'app/a' },
          a.manifestDigest,
          makeKey(),
        )
      ).tag;
    } finally {
      await client.close();
    }
    v1 = await writeImageSet([`${src.host}/app/a:1`, `${src.host}/app/b:1`]);
    v2 = await writeImageSet([`${src.host}/app/a:1`, `${src.host}/app/b:1`, `${src.host}/app/c:1`]);
    base = await create(v1, 'base.tar.xz');
    // Release 2: app/b:1 moved to a new image, app/c:1 added.
    await seedImage(src, b2, 'app/b:1');
    await seedImage(src, c, 'app/c:1');
    delta = await create(v2, 'delta.tar.xz', base);
  });
  after(async () => {
    await target.stop();
    await src.stop();
    await v1.cleanup();
    await v2.cleanup();
  });

  it('a tag moved between the bundles is a conflict naming it, with both digests', async () => {
    const err = await rejection(
      mergeBundles({ inputs: [base, delta], output: join(v2.dir, 'x.tar.xz') }),
    );
    expect(err).to.include({ code: 'E_USAGE', reason: 'merge-tag-conflict' });
    expect(err.message)
      .to.contain(`${src.host}/app/b:1`)
      .and.contain(b1.manifestDigest)
      .and.contain(b2.manifestDigest);
  });

  it('--prefer last: every image once, the newer app/b; verifies whole; pushes the newer release with its digests; the signature record survives', async () => {
    const out = join(v2.dir, 'merged.tar.xz');
    const merged = await mergeBundles({ inputs: [base, delta], output: out, preferLast: true });
    expect(merged.replaced).to.eql([`${src.host}/app/b:1`]);
    const opened = await openBundleSource(out);
    const names = opened.images.map((i) => i.name);
    const records = opened.metadata?.images ?? [];
    const blobs = opened.metadata?.blobs ?? [];
    await opened.close();
    expect(names).to.have.members([
      `${src.host}/app/a:1`,
      `${src.host}/app/b:1`,
      `${src.host}/app/c:1`,
      `${src.host}/app/a:${sigTag}`,
    ]);
    expect(new Set(blobs.map((x) => x.digest)).size).to.equal(blobs.length);
    expect(opened.metadata?.base).to.equal(undefined);
    expect(records.find((r) => r.ref.endsWith(sigTag))?.referrer).to.include({
      kind: 'signature',
      subject: a.manifestDigest,
    });
    const report = await verifyBundle({ path: out, workers: 1 });
    expect(report.ok, JSON.stringify(report.problems)).to.equal(true);
    await pushImages({
      source: out,
      privateRegistry: `${target.host}/site`,
      host: { plainHttp: true },
    });
    expect(await digestAt(target, 'site/app/a:1')).to.equal(a.manifestDigest);
    expect(await digestAt(target, 'site/app/b:1')).to.equal(b2.manifestDigest);
    expect(await digestAt(target, 'site/app/c:1')).to.equal(c.manifestDigest);
  });

  it('the same inputs give the same bytes', async () => {
    const one = await mergeBundles({
      inputs: [base, delta],
      output: join(v2.dir, 'one.tar.xz'),
      preferLast: true,
    });
    const two = await mergeBundles({
      inputs: [base, delta],
      output: join(v2.dir, 'two.tar.xz'),
      preferLast: true,
    });
    expect(one.sha256).to.equal(two.sha256);
  });

  it('a delta without its base is refused naming a blob it lacks; nothing is left at the output', async () => {
    const out = join(v2.dir, 'alone.tar.xz');
    const err = await rejection(mergeBundles({ inputs: [delta], output: out }));
    expect(err).to.include({ code: 'E_BUNDLE_INVALID', reason: 'merge-blob-missing' });
    expect(err.message).to.match(/no input holds blob sha256:[0-9a-f]{64} of /);
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).to.equal(false);
  });

  it('the CLI: exit 2 with the --prefer hint on a conflict; a merge written with --json', async () => {
    requireBuiltCli();
    const conflict = await runCli([
      'bundle',
      'merge',
      base,
      delta,
      '--output',
      join(v2.dir, 'cli.tar.xz'),
      '--json',
    ]);
    expect(conflict.code, why(conflict)).to.equal(2);
    expect(errorOf(conflict).hint).to.contain('--prefer last');
    const ok = await runCli([
      'bundle',
      'merge',
      base,
      delta,
      '--output',
      join(v2.dir, 'cli.tar.xz'),
      '--prefer',
      'last',
      '--json',
    ]);
    expect(ok.code, why(ok)).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.include({ images: 4 });
  });
});
