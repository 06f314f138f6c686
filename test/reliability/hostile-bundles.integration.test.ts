import { copyFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { requireBuiltCli, runCli, type CliRun } from '../rig/cli.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import type { ErrorCode } from '../../src/errors.js';
import { readXzIndex } from '../../src/xz/index.js';
import { xzRangeChunks } from '../../src/xz/range-reader.js';
import { craftTar, tar, type CraftEntry } from '../bundle-reader/archive-kit.js';
import { writeImageSet } from '../rig/release-fixture.js';
import {
  blobsOf,
  makeImage,
  MediaTypes,
  sha256Digest,
  type GeneratedImage,
} from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { mulberry32, randomBuffer } from '../rig/prng.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { catalog, expectCleanFailure, stackLine, tagsOf, treeOf } from './cli-kit.js';
import {
  patchTarHeader,
  tarFileHeader,
  tarHeaderOffsets,
  xzBomb,
  xzTool,
  zeroChunks,
} from './hostile-kit.js';
import { rejection } from '../rig/rejection.js';

/**
 * Hostile and broken bundles given to the real CLI (`push images`, `bundle
 * inspect`, `bundle verify`), with a real registry as the push target: each
 * fails with its category's exit code, an `Error [CODE]` naming the file
 * and the entry at fault, a hint and no stack trace; nothing is tagged (or
 * even created) in the registry, and nothing is written anywhere: not in
 * the working folder, not beside the bundle, not where a climbing or
 * absolute entry points. Covers bmpack bundles (.tar.xz and .tar), foreign
 * tars and tar.xz of OCI layouts, and docker save archives.
 */
describe('reliability: hostile bundles through the CLI', function () {
  this.timeout(180_000);
  const ref = 'example.com/hostile/app:1';
  let src: RunningRegistry;
  let target: RunningRegistry;
  let work: TrackedDir;
  let image: GeneratedImage;
  let bundles: string;
  let bmpackXz: string;
  let bmpackTar: string;
  let caseNumber = 0;
  const at = (name: string): string => join(bundles, name);

  /** index.json of a layout holding `image` as `ref` (as test/rig/layout.ts writes it). */
  const layoutIndex = (manifest: { digest: string; size: number; mediaType: string }): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.oci.index,
        manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }],
      }),
    );
  const goodIndex = (): Buffer =>
    layoutIndex({
      mediaType: image.mediaType,
      digest: image.manifestDigest,
      size: image.manifest.length,
    });
  const ociLayout = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const blobEntries = (): CraftEntry[] =>
    [...blobsOf(image)].map(([digest, data]) => ({
      name: `blobs/sha256/${digest.slice(7)}`,
      data,
    }));
  /** The entries of a good layout tar, with `edit` applied to the list. */
  const layout = (edit: (entries: CraftEntry[]) => CraftEntry[] = (e) => e): Buffer =>
    craftTar(
      edit([
        { name: 'oci-layout', data: ociLayout },
        { name: 'index.json', data: goodIndex() },
        ...blobEntries(),
      ]),
    );
  const layerPath = (): string => `blobs/sha256/${image.layers[0]!.digest.slice(7)}`;

  before(async () => {
    requireBuiltCli();
    xzTool();
    work = await makeTempDir('bmpack-hostile-');
    bundles = join(work.path, 'bundles');
    await mkdir(bundles);
    src = await startRegistry('anonymous');
    target = await startRegistry('anonymous');
    image = makeImage({ seed: 701, layers: 2, layerSize: 30_000, format: 'oci' });
    await seedImage(src, image, 'hostile/app:1');
    const set = await writeImageSet([`${src.host}/hostile/app:1`]);
    try {
      for (const name of ['bmpack.tar.xz', 'bmpack.tar']) {
        await createBundle({
          manifests: [set.file],
          output: at(name),
          cacheDir: join(work.path, 'cache'),
          insecureRegistries: [src.host],
          env: {},
        });
      }
    } finally {
      await set.cleanup();
    }
    bmpackXz = at('bmpack.tar.xz');
    bmpackTar = at('bmpack.tar');
    await writeFile(at('good-layout.tar'), layout());
  });
  after(async () => {
    await src.stop();
    await target.stop();
    await work.stop();
  });

  interface Outcome {
    readonly push: CliRun;
    readonly inspect: CliRun;
    readonly verify: CliRun;
    readonly namespace: string;
  }

  /**
   * Runs push, inspect and verify on `file` from a fresh, empty working
   * folder; checks that none of them wrote anything anywhere under the
   * test's folder and that the registry holds nothing under the push's
   * namespace.
   */
  async function runAll(file: string, o: { blobsMayLand?: boolean } = {}): Promise<Outcome> {
    const namespace = `h${++caseNumber}`;
    const cwd = join(work.path, `cwd-${namespace}`);
    await mkdir(cwd);
    const before = await treeOf(work.path);
    const opts = { cwd, timeoutMs: 90_000 };
    const [push, inspect, verify] = await Promise.all([
      runCli(
        [
          'push',
          'images',
          '--source',
          file,
          '--private-registry',
          `${target.host}/${namespace}`,
          '--plain-http',
          '--need-credential=false',
        ],
        opts,
      ),
      runCli(['bundle', 'inspect', file], opts),
      runCli(['bundle', 'verify', file, '--workers', '2'], opts),
    ]);
    expect(await treeOf(work.path), 'files written by the failed runs').to.deep.equal(before);
    if (o.blobsMayLand !== true) {
      const repos = (await catalog(target)).filter((r) => r.startsWith(`${namespace}/`));
      expect(repos, 'repositories created by the failed push').to.deep.equal([]);
    }
    expect(await tagsOf(target, `${namespace}/hostile/app`)).to.deep.equal([]);
    return { push, inspect, verify, namespace };
  }

  /** All three commands fail cleanly with `code`, naming the file and `names`. */
  async function refusedByAll(file: string, code: ErrorCode, names: string[]): Promise<void> {
    const o = await runAll(file);
    for (const run of [o.push, o.inspect, o.verify])
      expectCleanFailure(run, code, [file, ...names]);
  }

  it('pushes, inspects and verifies the untouched bundles and layout (the baseline)', async () => {
    const cwd = join(work.path, 'cwd-baseline');
    await mkdir(cwd);
    for (const file of [bmpackXz, bmpackTar, at('good-layout.tar')]) {
      const inspect = await runCli(['bundle', 'inspect', file], { cwd });
      expect(inspect.code, inspect.stderr).to.equal(0);
      expect(inspect.stdout).to.contain('hostile/app:1');
    }
    const verify = await runCli(['bundle', 'verify', bmpackXz], { cwd });
    expect(verify.code, verify.stderr).to.equal(0);
    const push = await runCli(
      [
        'push',
        'images',
        '--source',
        at('good-layout.tar'),
        '--private-registry',
        `${target.host}/baseline`,
        '--plain-http',
        '--need-credential=false',
      ],
      { cwd },
    );
    expect(push.code, push.stderr).to.equal(0);
    expect(await tagsOf(target, 'baseline/hostile/app')).to.deep.equal(['1']);
  });

  it('refuses an entry that climbs out of the archive, plain and in .tar.xz', async () => {
    const file = at('climb.tar');
    await writeFile(
      file,
      layout((e) => [...e, { name: '../escaped', data: Buffer.from('pwned') }]),
    );
    await refusedByAll(file, 'E_BUNDLE_INVALID', ['../escaped']);
    await runTool(xzTool(), ['-k', '-f', file]);
    await refusedByAll(`${file}.xz`, 'E_BUNDLE_INVALID', ['../escaped']);
  });

  it('refuses an absolute entry path', async () => {
    const file = at('absolute.tar');
    const outside = join(work.path, 'abs-escaped');
    await writeFile(
      file,
      layout((e) => [{ name: outside, data: Buffer.from('pwned') }, ...e]),
    );
    await refusedByAll(file, 'E_BUNDLE_INVALID', [outside, 'absolute path']);
  });

  it('refuses a blob that is a symlink (to /etc/passwd), a hard link or a device', async () => {
    const swap = (replacement: CraftEntry) => (entries: CraftEntry[]) =>
      entries.map((e) => (e.name === replacement.name ? replacement : e));
    const cases: Array<[string, CraftEntry]> = [
      ['symlink.tar', { name: layerPath(), type: '2', linkName: '/etc/passwd' }],
      ['hardlink.tar', { name: layerPath(), type: '1', linkName: 'oci-layout' }],
      ['device.tar', { name: layerPath(), type: '3' }],
    ];
    for (const [name, entry] of cases) {
      await writeFile(at(name), layout(swap(entry)));
      await refusedByAll(at(name), 'E_BUNDLE_INVALID', [layerPath()]);
    }
  });

  it('refuses a bmpack bundle whose layer entry became a symlink to /etc/passwd, or whose index.json climbs', async () => {
    const original = await readFile(bmpackTar);
    const headerOf = (name: string): number => {
      const at = tarHeaderOffsets(original).find(
        (h) =>
          original
            .subarray(h, h + 100)
            .toString('latin1')
            .replace(/\0.*$/s, '') === name,
      );
      if (at === undefined) throw new Error(`no ${name} in ${bmpackTar}`);
      return at;
    };
    const linked = Buffer.from(original);
    patchTarHeader(linked, headerOf(layerPath()), { type: '2', linkName: '/etc/passwd', size: 0 });
    const linkedFile = at('bmpack-symlink.tar');
    await writeFile(linkedFile, linked);
    // Its other blobs may be uploaded before the layer is reached; the image is never tagged.
    const o = await runAll(linkedFile, { blobsMayLand: true });
    // push reads the layer when it uploads it: the image fails, nothing is tagged.
    expect(o.push.code, o.push.stderr).to.be.oneOf([11, 10]);
    expect(o.push.stderr).to.contain(image.layers[0]!.digest).and.not.match(stackLine);
    expectCleanFailure(o.verify, 'E_BUNDLE_INVALID', [linkedFile]);
    // inspect reads bmpack.json alone and verifies nothing, by design.
    expect(o.inspect.code, o.inspect.stderr).to.equal(0);

    const climbing = Buffer.from(original);
    patchTarHeader(climbing, headerOf('index.json'), { name: '../index.json' });
    const climbingFile = at('bmpack-climb.tar');
    await writeFile(climbingFile, climbing);
    await refusedByAll(climbingFile, 'E_BUNDLE_INVALID', ['../index.json']);
  });

  it('refuses index.json stored twice with different content of the same size', async () => {
    const file = at('duplicate.tar');
    const other = Buffer.from(goodIndex().toString().replace('app:1', 'app:2'));
    await writeFile(
      file,
      layout((e) => [...e, { name: 'index.json', data: other }]),
    );
    await refusedByAll(file, 'E_BUNDLE_INVALID', ['"index.json" appears twice']);
  });

  it('caps JSON: index.json over 8 MiB (tar and tar.xz), a manifest blob over 8 MiB, bmpack.json over 8 MiB', async () => {
    const padded = Buffer.concat([goodIndex(), Buffer.alloc(9 * 1024 * 1024, 0x20)]);
    const bigIndex = at('big-index.tar');
    await writeFile(
      bigIndex,
      layout((e) => e.map((x) => (x.name === 'index.json' ? { ...x, data: padded } : x))),
    );
    await refusedByAll(bigIndex, 'E_BUNDLE_INVALID', ['index.json', 'more than the 8388608']);
    await runTool(xzTool(), ['-k', '-f', '-0', bigIndex]);
    await refusedByAll(`${bigIndex}.xz`, 'E_BUNDLE_INVALID', ['index.json']);

    const manifest = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(image.manifest.toString()) as object),
        annotations: { pad: 'x'.repeat(9 * 1024 * 1024) },
      }),
    );
    const digest = sha256Digest(manifest);
    const bigManifest = at('big-manifest.tar');
    await writeFile(
      bigManifest,
      craftTar([
        { name: 'oci-layout', data: ociLayout },
        {
          name: 'index.json',
          data: layoutIndex({ mediaType: image.mediaType, digest, size: manifest.length }),
        },
        ...blobEntries(),
        { name: `blobs/sha256/${digest.slice(7)}`, data: manifest },
      ]),
    );
    const o = await runAll(bigManifest);
    // push and verify need the manifest and refuse it; inspect verifies nothing by design
    // (docs: "use bundle verify") and reports the image as unreadable.
    for (const run of [o.push, o.verify]) expectCleanFailure(run, 'E_BUNDLE_INVALID', [digest]);
    expect(o.inspect.code, o.inspect.stderr).to.equal(0);
    expect(o.inspect.stdout).to.contain(`manifest ${digest} is unreadable`);

    const bigMetadata = at('big-bmpack-json.tar');
    const metadata = await runTool(tar(), ['-xOf', bmpackTar, 'bmpack.json']);
    await writeFile(
      bigMetadata,
      craftTar([
        { name: 'oci-layout', data: ociLayout },
        { name: 'bmpack.json', data: Buffer.concat([metadata, Buffer.alloc(9 << 20, 0x20)]) },
        { name: 'index.json', data: goodIndex() },
        { name: 'blobs/', type: '5' },
        { name: 'blobs/sha256/', type: '5' },
        ...blobEntries(),
      ]),
    );
    await refusedByAll(bigMetadata, 'E_BUNDLE_INVALID', ['bmpack.json', 'more than the 8388608']);
  });

  it('refuses index.json whose digest is 50 000 nested arrays, and bmpack.json whose format is', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const index = goodIndex().toString().replace(`"${image.manifestDigest}"`, deep);
    const file = at('deep-index.tar');
    await writeFile(
      file,
      layout((e) =>
        e.map((x) => (x.name === 'index.json' ? { ...x, data: Buffer.from(index) } : x)),
      ),
    );
    await refusedByAll(file, 'E_BUNDLE_INVALID', ['index.json', 'invalid digest an array']);
    const metadata = (await runTool(tar(), ['-xOf', bmpackTar, 'bmpack.json'])).toString();
    const deepFormat = at('deep-format.tar');
    await writeFile(
      deepFormat,
      craftTar([
        { name: 'oci-layout', data: ociLayout },
        { name: 'bmpack.json', data: Buffer.from(metadata.replace('"bmpack.io/bundle/v1"', deep)) },
        { name: 'index.json', data: goodIndex() },
        { name: 'blobs/', type: '5' },
        { name: 'blobs/sha256/', type: '5' },
        ...blobEntries(),
      ]),
    );
    await refusedByAll(deepFormat, 'E_BUNDLE_INVALID', ['bmpack.json', 'format an array']);
  });

  it('stops an xz bomb (Index claims 5 KiB, the Block expands to 64 GiB) at the claim', async () => {
    const head = craftTar([
      { name: 'oci-layout', data: ociLayout },
      { name: 'index.json', data: goodIndex() },
    ]);
    // The tar's head without its end marker, then an entry larger than the claim.
    const prefix = Buffer.concat([
      head.subarray(0, head.length - 1024),
      tarFileHeader(layerPath(), 1 << 30),
    ]);
    const claimed = prefix.length + 4096;
    const bomb = xzBomb(await zeroChunks(), { prefix, claimed, repeats: 32_768 });
    expect(bomb.expands).to.be.greaterThan(60 * 2 ** 30);
    const file = at('bomb.tar.xz');
    await writeFile(file, bomb.file);
    await refusedByAll(file, 'E_XZ_INVALID', [`more than the ${claimed} bytes the index says`]);

    // The reader hands out no byte past the claim, and fails right there.
    const index = await readXzIndex(file);
    let served = 0;
    const err = await rejection(
      (async () => {
        for await (const piece of xzRangeChunks(file, index, 0, claimed)) served += piece.length;
      })(),
    );
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(served).to.be.at.most(claimed);
  });

  it('refuses garbage, an empty file, and truncated bmpack bundles (.tar.xz and .tar)', async () => {
    const garbage = at('garbage.tar.xz');
    await writeFile(garbage, randomBuffer(mulberry32(707), 65_536));
    await refusedByAll(garbage, 'E_BUNDLE_INVALID', ['neither a tar nor an .xz file']);
    const empty = at('empty.tar');
    await writeFile(empty, '');
    await refusedByAll(empty, 'E_BUNDLE_INVALID', ['empty']);
    const cutXz = at('cut.tar.xz');
    await copyFile(bmpackXz, cutXz);
    await truncate(cutXz, Math.floor((await readFile(bmpackXz)).length / 2));
    await refusedByAll(cutXz, 'E_XZ_INVALID', []);
    const cutTar = at('cut.tar');
    await copyFile(bmpackTar, cutTar);
    await truncate(cutTar, Math.floor((await readFile(bmpackTar)).length / 2));
    await refusedByAll(cutTar, 'E_BUNDLE_INVALID', ['bmpack.json', 'truncated']);
  });

  it('refuses docker save archives whose layer is a symlink to /etc/passwd or a climbing path', async () => {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
    );
    const layer = craftTar([{ name: 'hello.txt', data: Buffer.from('hello') }]);
    const archive = (layerEntry: CraftEntry, layerName: string): Buffer =>
      craftTar([
        { name: 'cfg.json', data: config },
        layerEntry,
        {
          name: 'manifest.json',
          data: Buffer.from(
            JSON.stringify([
              {
                Config: 'cfg.json',
                RepoTags: ['example.com/hostile/docker:1'],
                Layers: [layerName],
              },
            ]),
          ),
        },
      ]);
    const good = at('docker-good.tar');
    await writeFile(good, archive({ name: 'l1/layer.tar', data: layer }, 'l1/layer.tar'));
    const inspect = await runCli(['bundle', 'inspect', good], { cwd: work.path });
    expect(inspect.code, inspect.stderr).to.equal(0);
    expect(inspect.stdout).to.contain('example.com/hostile/docker:1');

    const linked = at('docker-symlink.tar');
    await writeFile(
      linked,
      archive({ name: 'l1/layer.tar', type: '2', linkName: '/etc/passwd' }, 'l1/layer.tar'),
    );
    await refusedByAll(linked, 'E_BUNDLE_INVALID', ['l1/layer.tar']);
    const climbing = at('docker-climb.tar');
    await writeFile(climbing, archive({ name: 'l1/layer.tar', data: layer }, '../../etc/passwd'));
    await refusedByAll(climbing, 'E_BUNDLE_INVALID', ['../../etc/passwd']);
  });

  it('leaves only the baseline image tagged in the registry', async () => {
    const tagged = [];
    for (const repo of await catalog(target)) {
      if ((await tagsOf(target, repo)).length > 0) tagged.push(repo);
    }
    expect(tagged).to.deep.equal(['baseline/hostile/app']);
  });
});
