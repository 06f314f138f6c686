/**
 * Bundles in parts for removable media (issue 17, item 1): `bundle split`
 * and `bundle create --split-size` write NAME.001, NAME.002, … whose
 * concatenation is the bundle byte for byte; push, verify and inspect read
 * across the parts in place, from the first part or the base name; a
 * missing, short or damaged part is named. Digests are read from the real
 * registry the parts were pushed into.
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { repairBundle } from '../../src/bundle-writer/repair-bundle.js';
import { splitBundle } from '../../src/bundle-writer/split-bundle.js';
import { pushImages } from '../../src/push/push-images.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { digestAt } from '../rig/registry-client.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { rejection } from '../rig/rejection.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { errorOf, jsonOf, why } from '../reliability/network-faults-kit.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('bundles in parts', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let whole: string;

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source, 2_500_000);
    work = await writeImageSet(release.images.map((i) => i.ref));
    whole = await bundleImageSet(source, work, 'whole.tar.xz');
    target = await startRegistry('anonymous');
  });
  after(async () => {
    await target.stop();
    await source.stop();
    await work.cleanup();
  });

  /** A copy of the bundle under `name`, split into 1 MiB parts. */
  async function parts(name: string, removeWhole = true) {
    const path = join(work.dir, name);
    await copyFile(whole, path);
    return splitBundle({ path, partSize: MiB, removeWhole });
  }

  async function expectPushed(ns: string): Promise<void> {
    for (const img of release.images) {
      const repo = `${ns}/${img.ref.slice(source.host.length + 1)}`;
      expect(await digestAt(target, repo), repo).to.equal(img.item.manifestDigest);
    }
  }

  it('writes parts whose concatenation is the bundle, and a sidecar listing each part, then the whole', async () => {
    const split = await parts('a.tar.xz', false);
    const original = await readFile(whole);
    expect(split.parts.length).to.equal(Math.ceil(original.length / MiB));
    expect(split.parts.slice(0, -1).every((p) => p.size === MiB)).to.equal(true);
    const joined = Buffer.concat(await Promise.all(split.parts.map((p) => readFile(p.path))));
    expect(sha(joined)).to.equal(sha(original));
    expect(split.sha256).to.equal(sha(original));
    const sidecar = (await readFile(join(work.dir, 'a.tar.xz.sha256'), 'utf8')).trim().split('\n');
    expect(sidecar).to.eql([
      ...split.parts.map((p) => `${p.sha256}  ${basename(p.path)}`),
      `${sha(original)}  a.tar.xz`,
    ]);
  });

  it('push, verify and inspect read across the parts, from the first part or the base name', async () => {
    await parts('b.tar.xz');
    const first = join(work.dir, 'b.tar.xz.001');
    const base = join(work.dir, 'b.tar.xz');
    await pushImages({
      source: first,
      privateRegistry: `${target.host}/first`,
      host: { plainHttp: true },
    });
    await expectPushed('first');
    await pushImages({
      source: base,
      privateRegistry: `${target.host}/base`,
      host: { plainHttp: true },
    });
    await expectPushed('base');
    const report = await verifyBundle({ path: base });
    expect(report.ok, JSON.stringify(report.problems)).to.equal(true);
    expect(report.sidecar?.status).to.equal('match');
    requireBuiltCli();
    const inspect = await runCli(['bundle', 'inspect', first, '--json']);
    expect(inspect.code, why(inspect)).to.equal(0);
    expect((JSON.parse(inspect.stdout) as { images: unknown[] }).images).to.have.length(4);
  });

  it('names a damaged part (verify), a missing part and a short part (when opened)', async () => {
    await parts('c.tar.xz');
    const second = join(work.dir, 'c.tar.xz.002');
    const bytes = await readFile(second);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    await writeFile(second, bytes);
    const damaged = await rejection(verifyBundle({ path: join(work.dir, 'c.tar.xz') }));
    expect(damaged.message).to.contain('part c.tar.xz.002 does not match');

    await parts('d.tar.xz');
    await rm(join(work.dir, 'd.tar.xz.002'));
    const missing = await rejection(
      pushImages({
        source: join(work.dir, 'd.tar.xz.001'),
        privateRegistry: `${target.host}/x`,
        host: { plainHttp: true },
      }),
    );
    expect(missing.code).to.equal('E_BUNDLE_INVALID');
    expect(missing.message).to.contain('d.tar.xz.002 is missing');

    await parts('e.tar.xz');
    await truncate(join(work.dir, 'e.tar.xz.002'), 1000);
    const short = await rejection(
      pushImages({
        source: join(work.dir, 'e.tar.xz'),
        privateRegistry: `${target.host}/x`,
        host: { plainHttp: true },
      }),
    );
    expect(short.code).to.equal('E_BUNDLE_INVALID');
    expect(short.message).to.contain('e.tar.xz.002 is 1000 bytes');
  });

  it('the CLI: bundle create --split-size writes parts and no whole file; bundle split refuses a tiny size', async () => {
    requireBuiltCli();
    const out = join(work.dir, 'cli', 'r.tar.xz');
    await rm(join(work.dir, 'cli'), { recursive: true, force: true });
    await import('node:fs/promises').then((f) => f.mkdir(join(work.dir, 'cli')));
    const run = await runCli([
      'bundle',
      'create',
      '--manifest',
      work.file,
      '--output',
      out,
      '--split-size',
      '1M',
      '--insecure-registry',
      source.host,
      '--cache-dir',
      join(work.dir, 'cache'),
      '--json',
    ]);
    expect(run.code, why(run)).to.equal(0);
    const files = (await readdir(join(work.dir, 'cli'))).sort();
    expect(files)
      .to.include('r.tar.xz.001')
      .and.include('r.tar.xz.sha256')
      .and.not.include('r.tar.xz');
    expect(jsonOf(run).sha256).to.equal(sha(await readFile(whole)));
    const tiny = await runCli(['bundle', 'split', whole, '--size', '1K', '--json']);
    expect(tiny.code, why(tiny)).to.equal(2);
    expect(errorOf(tiny).hint).to.contain('--size');
  });

  it('a parity part rebuilds any one missing or damaged part, proven by its sha256; two are refused, naming both', async () => {
    const path = join(work.dir, 'p.tar.xz');
    await copyFile(whole, path);
    const split = await splitBundle({ path, partSize: MiB, removeWhole: true, parity: true });
    expect(split.parity?.path).to.equal(`${path}.parity`);
    const sidecar = await readFile(`${path}.sha256`, 'utf8');
    expect(sidecar).to.contain(`${split.parity?.sha256 ?? ''}  p.tar.xz.parity`);
    const originals = await Promise.all(split.parts.map((p) => readFile(p.path)));
    expect((await repairBundle({ path })).repaired).to.equal(undefined);

    await rm(split.parts[1]!.path);
    expect((await repairBundle({ path: `${path}.001` })).repaired).to.equal(split.parts[1]!.path);
    expect(sha(await readFile(split.parts[1]!.path))).to.equal(sha(originals[1]!));

    const last = split.parts.at(-1)!;
    const damaged = await readFile(last.path);
    damaged[10] = (damaged[10] ?? 0) ^ 1;
    await writeFile(last.path, damaged);
    requireBuiltCli();
    const run = await runCli(['bundle', 'repair', path, '--json']);
    expect(run.code, why(run)).to.equal(0);
    expect((JSON.parse(run.stdout) as { repaired: string }).repaired).to.equal(last.path);
    expect(sha(await readFile(last.path))).to.equal(sha(originals.at(-1)!));

    await rm(split.parts[0]!.path);
    await truncate(split.parts[2]!.path, 10);
    const two = await rejection(repairBundle({ path }));
    expect(two.code).to.equal('E_BUNDLE_INVALID');
    expect(two.message).to.contain('p.tar.xz.001').and.contain('p.tar.xz.003');
  });
});
