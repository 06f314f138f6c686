/**
 * Issue 14, item 1: a reference that names a digest keeps that digest
 * resolvable at the mirror. With platforms asked for, a pinned index is
 * carried whole (and create says what it costs); an entry that asks for
 * strict filtering fails before anything is written, naming the platform
 * manifest to pin instead. Tag plus digest: the tag points at the pinned
 * digest. mirror check proves the mirror serves the pinned digest whole.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import type { ProgressEvent } from '../../src/events.js';
import { checkMirror, mirrorConfig } from '../../src/mirror/index.js';
import { imageDigests, startContainerd } from '../mirror/containerd-rig.js';
import { pushImages } from '../../src/push/push-images.js';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { rejection } from '../rig/rejection.js';
import { digestAt } from '../rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';

describe('images pinned by digest under a platform filter', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let work: TrackedDir;
  const amd = makeImage({ seed: 81, layers: 1, layerSize: 3000, format: 'oci' });
  const arm = makeImage({
    seed: 82,
    layers: 1,
    layerSize: 50_000,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const index = makeIndex([amd, arm], 'oci');

  before(async () => {
    [source, target] = await Promise.all([startRegistry('anonymous'), startRegistry('anonymous')]);
    await seedImage(source, index, 'pinned/app:1');
    work = await makeTempDir('bmpack-pinned-');
  });
  after(async () => {
    await work.stop();
    await Promise.all([source.stop(), target.stop()]);
  });

  async function imageSet(name: string, entries: readonly string[]): Promise<string> {
    const file = join(work.path, `${name}.yaml`);
    const lines = [
      'apiVersion: bmpack.io/v1',
      'kind: ImageSet',
      'metadata:',
      `  name: ${name}`,
      '  version: 1.0.0',
      'spec:',
      '  platforms: [linux/amd64]',
      '  images:',
      ...entries.map((e) => `    - ${e}`),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  }

  const create = (
    manifest: string,
    output: string,
    onEvent?: (e: ProgressEvent) => void,
    from: RunningRegistry = source,
  ) =>
    createBundle({
      manifests: [manifest],
      output: join(work.path, output),
      cacheDir: join(work.path, 'cache'),
      insecureRegistries: [from.host],
      env: {},
      ...(onEvent ? { onEvent } : {}),
    });

  it('carries a pinned index whole, says what it costs, and the mirror serves the pinned digest (and the tag points at it)', async () => {
    const pinned = `${source.host}/pinned/app@${index.manifestDigest}`;
    const tagged = `${source.host}/pinned/app:1@${index.manifestDigest}`;
    const warnings: string[] = [];
    const manifest = await imageSet('pinned', [pinned, tagged]);
    const bundle = await create(manifest, 'pinned.tar.xz', (e) => {
      if (e.type === 'warning') warnings.push(e.message);
    });
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.contain('is pinned by digest').and.contain('all 2 platforms');
    expect(warnings[0]).to.match(/0\.05 MB more than the platforms asked for/);
    await pushImages({
      source: bundle.output,
      privateRegistry: `${target.host}/m`,
      host: { plainHttp: true },
    });
    expect(await digestAt(target, `m/pinned/app@${index.manifestDigest}`)).to.equal(
      index.manifestDigest,
    );
    expect(await digestAt(target, 'm/pinned/app:1')).to.equal(index.manifestDigest);
    expect(await digestAt(target, `m/pinned/app@${arm.manifestDigest}`)).to.equal(
      arm.manifestDigest,
    );
    const report = await checkMirror({
      source: bundle.output,
      privateRegistry: `${target.host}/m`,
      host: { plainHttp: true },
    });
    expect(report.images.map((i) => i.status)).to.deep.equal(['present', 'present']);
  });

  it('is pulled by its pinned digest from the mirror by containerd, with the source registry gone', async () => {
    const mirror = await startRegistry('anonymous');
    const origin = await startRegistry('anonymous');
    const containerd = await startContainerd();
    try {
      await seedImage(origin, index, 'pinned/app:1');
      const ref = `${origin.host}/pinned/app@${index.manifestDigest}`;
      const copy = await create(
        await imageSet('pull-origin', [ref]),
        'pull-origin.tar.xz',
        undefined,
        origin,
      );
      await pushImages({
        source: copy.output,
        privateRegistry: `${mirror.host}/m`,
        host: { plainHttp: true },
      });
      const dir = join(work.path, 'hosts');
      await mirrorConfig({
        privateRegistry: `${mirror.host}/m`,
        hosts: [origin.host],
        plainHttp: true,
        output: dir,
        installDir: dir,
      });
      await origin.stop();
      await containerd.ctr(
        ['images', 'pull', '--hosts-dir', dir, '--snapshotter', 'native', '--all-platforms', ref],
        { timeoutMs: 120_000 },
      );
      expect((await imageDigests(containerd)).get(ref)).to.equal(index.manifestDigest);
    } finally {
      await containerd.stop();
      await Promise.all([mirror.stop(), origin.stop()]);
    }
  });

  it('refuses a pinned index with strictPlatforms before writing anything, naming the platform manifest to pin', async () => {
    const manifest = await imageSet('strict', [
      `{ref: "${source.host}/pinned/app@${index.manifestDigest}", strictPlatforms: true}`,
    ]);
    const err = await rejection(create(manifest, 'strict.tar.xz'));
    expect(err.code).to.equal('E_PLATFORM_PINNED');
    expect(err.exitCode).to.equal(3);
    expect(err.message).to.contain(index.manifestDigest);
    expect(err.hint).to.contain(`linux/amd64 ${amd.manifestDigest}`);
  });
});
