import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { dockerLayerTar } from '../../src/bundle-reader/docker-manifest-synthesis.js';
import { MediaType } from '../../src/oci/media-types.js';
import { seedRelease, type ReleaseFixture } from '../rig/release-fixture.js';
import { makeImage } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { checkAllBlobs, craftTar, runSkopeo, sha256, tar, xz } from './archive-kit.js';

interface Schema2 {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
}

/**
 * docker-archive files written by skopeo from a registry: bmpack makes a
 * schema 2 manifest for each, and what it says must match what skopeo says
 * about the image (config digest, diffIDs of the uncompressed layers).
 */
describe('archive: docker save archives', function () {
  this.timeout(180_000);
  let reg: RunningRegistry;
  let release: ReleaseFixture;
  let work: TrackedDir;
  const at = (name: string): string => join(work.path, name);
  const archives: Array<{ file: string; ref: string; tags: string[] }> = [];

  before(async () => {
    reg = await startRegistry('anonymous');
    release = await seedRelease(reg);
    work = await makeTempDir('bmpack-archive-docker-');
    for (const [i, image] of release.images.entries()) {
      const file = at(`image-${i}.tar`);
      const tags = [`example.com/saved/img${i}:v${i}`];
      const extra = i === 1 ? ['--additional-tag', 'example.com/saved/second:2'] : [];
      if (i === 1) tags.push('example.com/saved/second:2');
      await runSkopeo(work.path, [
        'copy',
        '--src-tls-verify=false',
        ...extra,
        `docker://${image.ref}`,
        `docker-archive:${file}:${tags[0]!}`,
      ]);
      archives.push({ file, ref: image.ref, tags });
    }
  });
  after(async () => {
    await work.stop();
    await reg.stop();
  });

  it('makes a schema 2 manifest per image that agrees with skopeo: config digest and diffIDs', async () => {
    for (const a of archives) {
      const source = await openBundleSource(a.file);
      try {
        expect(source.kind).to.equal('docker-archive');
        expect(source.randomAccess).to.equal(true);
        const written = JSON.parse(
          (await runTool(tar(), ['-xOf', a.file, 'manifest.json'])).toString(),
        ) as Array<{ RepoTags: string[] }>;
        // Names pass through exactly as the archive writes them.
        expect(source.images.map((i) => i.name)).to.deep.equal(written[0]!.RepoTags);
        expect(source.images).to.have.length(a.tags.length);
        const { descriptor } = source.images[0]!;
        expect(descriptor.mediaType).to.equal(MediaType.dockerManifest);
        for (const image of source.images) expect(image.descriptor).to.equal(descriptor);
        const bytes = await source.readDocument(descriptor.digest);
        expect(sha256(bytes)).to.equal(descriptor.digest);
        expect(source.blobSize(descriptor.digest)).to.equal(bytes.length);
        const manifest = JSON.parse(bytes.toString()) as Schema2;
        expect(manifest.mediaType).to.equal(MediaType.dockerManifest);
        const rawConfig = await runSkopeo(work.path, [
          'inspect',
          '--config',
          '--raw',
          '--tls-verify=false',
          `docker://${a.ref}`,
        ]);
        expect(manifest.config).to.deep.equal({
          mediaType: MediaType.dockerConfig,
          size: rawConfig.length,
          digest: sha256(rawConfig),
        });
        expect((await source.readDocument(manifest.config.digest)).equals(rawConfig)).to.equal(
          true,
        );
        const config = JSON.parse(rawConfig.toString()) as { rootfs: { diff_ids: string[] } };
        expect(manifest.layers.map((l) => l.digest)).to.deep.equal(config.rootfs.diff_ids);
        for (const l of manifest.layers) {
          expect(l.mediaType).to.equal(dockerLayerTar);
          expect(source.blobSize(l.digest)).to.equal(l.size);
        }
        await checkAllBlobs(source);
      } finally {
        await source.close();
      }
    }
  });

  it('gives the same manifest bytes every time, and the same from a single-block .tar.xz (read in order)', async () => {
    const a = archives[3]!; // the image that lists one layer twice
    const first = await openBundleSource(a.file);
    const again = await openBundleSource(a.file);
    const compressed = `${a.file}.xz`;
    await runTool('sh', ['-c', `${xz()} -T1 -c "${a.file}" > "${compressed}"`]);
    const fromXz = await openBundleSource(compressed);
    try {
      expect(fromXz.randomAccess).to.equal(false);
      expect(fromXz.kind).to.equal('docker-archive');
      const digest = first.images[0]!.descriptor.digest;
      expect(again.images[0]!.descriptor.digest).to.equal(digest);
      expect(fromXz.images[0]!.descriptor.digest).to.equal(digest);
      const manifest = JSON.parse((await fromXz.readDocument(digest)).toString()) as Schema2;
      expect(manifest.layers).to.have.length(3);
      expect(manifest.layers[0]!.digest).to.equal(manifest.layers[1]!.digest);
      expect(fromXz.blobOrder).to.deep.equal(first.blobOrder);
      await checkAllBlobs(fromXz);
    } finally {
      await Promise.all([first.close(), again.close(), fromXz.close()]);
    }
  });

  it('types gzip layers as gzip and serves them by the digest of the stored file', async () => {
    const image = makeImage({ seed: 61, layers: 2, layerSize: 10_000, format: 'docker' });
    const file = at('gzip-layers.tar');
    await writeFile(
      file,
      craftTar([
        { name: 'config.json', data: image.config },
        { name: 'l0/layer.tar', data: image.layers[0]!.data },
        { name: 'l1/', type: '5' },
        { name: 'l1/layer.tar', type: '2', linkName: '../shared.tar' },
        { name: 'shared.tar', data: image.layers[1]!.data },
        {
          name: 'manifest.json',
          data: Buffer.from(
            JSON.stringify([
              {
                Config: 'config.json',
                RepoTags: ['gz:1', 'gz:2'],
                Layers: ['l0/layer.tar', 'l1/layer.tar'],
              },
            ]),
          ),
        },
      ]),
    );
    const source = await openBundleSource(file);
    try {
      expect(source.images.map((i) => i.name)).to.deep.equal(['gz:1', 'gz:2']);
      const manifest = JSON.parse(
        (await source.readDocument(source.images[0]!.descriptor.digest)).toString(),
      ) as Schema2;
      // The generator's own manifest, but for the key order of distribution's structs.
      const original = JSON.parse(image.manifest.toString()) as Schema2;
      expect(manifest.config.digest).to.equal(original.config.digest);
      expect(manifest.layers).to.deep.equal(
        original.layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
      );
      await checkAllBlobs(source);
    } finally {
      await source.close();
    }
  });
});
