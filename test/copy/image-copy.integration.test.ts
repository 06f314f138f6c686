import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { sha256Digest } from '../../src/content/digest.js';
import { copyImage, type ImageCopyOptions } from '../../src/image/copy-image.js';
import { parseReference } from '../../src/reference/index.js';
import { clientFor, digestAt } from '../rig/registry-client.js';
import { rejection } from '../rig/rejection.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { imageDigests, startContainerd } from '../mirror/containerd-rig.js';
import { runTool } from '../rig/processes.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { requireTool } from '../rig/tools.js';

describe('image copy: registries, OCI layouts and bundles through one engine', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let release: ReleaseFixture;
  let dir: string;
  let work: TrackedDir;

  before(async () => {
    [source, target] = await Promise.all([startRegistry('anonymous'), startRegistry('anonymous')]);
    release = await seedRelease(source);
    work = await makeTempDir('bmpack-image-copy-');
    dir = work.path;
  });
  after(async () => {
    await work.stop();
    await Promise.all([source.stop(), target.stop()]);
  });

  const copy = (src: string, dst: string, extra: Partial<ImageCopyOptions> = {}) =>
    copyImage({ source: src, destination: dst, host: { plainHttp: true }, ...extra });
  const path = (ref: string): string => ref.slice(source.host.length + 1);

  it('copies every image of a multi-platform workload between registries with the same digests; a second run sends nothing', async () => {
    for (const { ref } of release.images) {
      const r = await copy(`docker://${ref}`, `docker://${target.host}/copied/${path(ref)}`);
      expect(r.images).to.have.length(1);
    }
    for (const { ref, item } of release.images) {
      expect(await digestAt(target, `copied/${path(ref)}`)).to.equal(item.manifestDigest);
    }
    for (const { ref } of release.images) {
      const again = await copy(`docker://${ref}`, `docker://${target.host}/copied/${path(ref)}`);
      expect([again.blobsUploaded, again.blobsMounted, again.manifestsPushed]).to.deep.equal([
        0, 0, 0,
      ]);
      expect(again.images[0]?.digest).to.equal(
        release.images.find((i) => i.ref === ref)?.item.manifestDigest,
      );
    }
  });

  it('writes an OCI layout that skopeo reads, and copies from it back into a registry', async () => {
    const layout = join(dir, 'layout');
    const oci = release.images.filter((i) => i.item.format === 'oci');
    for (const { ref } of oci) await copy(`docker://${ref}`, `oci:${layout}`);
    const skopeo = requireTool('skopeo', 'skopeo');
    for (const { ref, item } of oci) {
      const raw = await runTool(skopeo, ['inspect', '--raw', `oci:${layout}:${ref}`]);
      expect(sha256Digest(raw)).to.equal(item.manifestDigest);
    }
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ annotations: Record<string, string> }>;
    };
    expect(index.manifests.map((m) => m.annotations['io.containerd.image.name'])).to.deep.equal(
      oci.map((i) => i.ref),
    );
    const first = oci[0]!;
    const back = await copy(
      `oci:${layout}:${first.ref}`,
      `docker://${target.host}/from-layout/${path(first.ref)}`,
    );
    expect(back.images[0]?.digest).to.equal(first.item.manifestDigest);
    expect(await digestAt(target, `from-layout/${path(first.ref)}`)).to.equal(
      first.item.manifestDigest,
    );
  });

  it('writes a layout that ctr images import takes (as a tar), every image under its name', async () => {
    const layout = join(dir, 'for-ctr');
    for (const { ref } of release.images) await copy(`docker://${ref}`, `oci:${layout}`);
    const tarFile = join(dir, 'for-ctr.tar');
    await runTool(requireTool('tar', 'tar'), ['-cf', tarFile, '-C', layout, '.']);
    const containerd = await startContainerd();
    try {
      await containerd.ctr(['images', 'import', '--all-platforms', '--no-unpack', tarFile]);
      const digests = await imageDigests(containerd);
      for (const { ref, item } of release.images)
        expect(digests.get(ref), ref).to.equal(item.manifestDigest);
    } finally {
      await containerd.stop();
    }
  });

  it('names a layout image as asked (oci:DIR:NAME), and a re-run leaves index.json with one entry', async () => {
    const layout = join(dir, 'named');
    const { ref, item } = release.images[0]!;
    await copy(`docker://${ref}`, `oci:${layout}:v1`);
    const again = await copy(`docker://${ref}`, `oci:${layout}:v1`);
    expect(again.blobsUploaded).to.equal(0);
    const raw = await runTool(requireTool('skopeo', 'skopeo'), [
      'inspect',
      '--raw',
      `oci:${layout}:v1`,
    ]);
    expect(sha256Digest(raw)).to.equal(item.manifestDigest);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: unknown[];
    };
    expect(index.manifests).to.have.length(1);
  });

  it('keeps only the platforms asked for: a new, filtered index whose children keep their digests', async () => {
    const multi = release.images.find((i) => i.item.kind === 'index' && i.item.format === 'oci')!;
    const r = await copy(`docker://${multi.ref}`, `docker://${target.host}/amd64-only/app:1`, {
      platforms: [{ os: 'linux', architecture: 'amd64' }],
    });
    const digest = r.images[0]!.digest;
    expect(digest).to.not.equal(multi.item.manifestDigest);
    expect(await digestAt(target, 'amd64-only/app:1')).to.equal(digest);
    const client = clientFor(target);
    try {
      const index = await client.getManifest(parseReference(`${target.host}/amd64-only/app:1`));
      expect(index.manifest.kind).to.equal('index');
      const children = index.manifest.kind === 'index' ? index.manifest.manifests : [];
      expect(children.map((c) => c.platform?.architecture)).to.deep.equal(['amd64']);
    } finally {
      await client.close();
    }
  });

  it('copies every image of a bundle into a namespace (--all), as push maps them', async () => {
    const work = await writeImageSet(release.images.map((i) => i.ref));
    try {
      const bundle = await bundleImageSet(source, work, 'b.tar.xz');
      const r = await copy(`bundle:${bundle}`, `docker://${target.host}/ns`, { all: true });
      expect(r.images).to.have.length(release.images.length);
      for (const { ref, item } of release.images)
        expect(await digestAt(target, `ns/${path(ref)}`)).to.equal(item.manifestDigest);
      const one = release.images[1]!;
      const single = await copy(`bundle:${bundle}:${one.ref}`, `oci:${join(dir, 'from-bundle')}:x`);
      expect(single.images[0]?.digest).to.equal(one.item.manifestDigest);
    } finally {
      await work.cleanup();
    }
  });

  it('refuses what it cannot do, before writing: a bundle destination, an ambiguous source, an unknown name', async () => {
    const ref = release.images[0]!.ref;
    expect((await rejection(copy(`docker://${ref}`, 'bundle:x.tar.xz'))).code).to.equal('E_USAGE');
    expect(
      (
        await rejection(
          copy(`docker://${ref}`, `docker://${target.host}/x@sha256:${'a'.repeat(64)}`),
        )
      ).code,
    ).to.equal('E_USAGE');
    expect((await rejection(copy('registry.example/x:1', `oci:${dir}/y`))).code).to.equal(
      'E_USAGE',
    );
    const layout = join(dir, 'layout');
    const ambiguous = await rejection(copy(`oci:${layout}`, `docker://${target.host}/z:1`));
    expect(ambiguous.code).to.equal('E_USAGE');
    expect(ambiguous.message).to.contain('holds 2 images');
    const unknown = await rejection(copy(`oci:${layout}:nope`, `docker://${target.host}/z:1`));
    expect(unknown.code).to.equal('E_NOT_FOUND');
    expect(await digestAt(target, 'z:1')).to.equal(undefined);
  });

  it('tags nothing whose blob turns out corrupt: E_COPY_INCOMPLETE with its cause’s exit category, the other images copied', async () => {
    const layout = join(dir, 'corrupt');
    const [first, second] = release.images.filter((i) => i.item.format === 'oci');
    for (const { ref } of [first!, second!]) await copy(`docker://${ref}`, `oci:${layout}`);
    const victim = first!.item.kind === 'index' ? first!.item.images[0]! : first!.item;
    const layer = victim.layers[0]!;
    const file = join(layout, 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = await readFile(file);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    const err = await rejection(
      copy(`oci:${layout}`, `docker://${target.host}/corrupt`, { all: true }),
    );
    expect(err.code).to.equal('E_COPY_INCOMPLETE');
    expect(err.exitCode).to.equal(7);
    expect(err.message).to.contain(layer.digest).and.contain('1 of 2 images were not copied');
    expect(await digestAt(target, `corrupt/${path(first!.ref)}`)).to.equal(undefined);
    expect(await digestAt(target, `corrupt/${path(second!.ref)}`)).to.equal(
      second!.item.manifestDigest,
    );
  });
});
