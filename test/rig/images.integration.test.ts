import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  MediaTypes,
  makeImage,
  makeIndex,
  seedImage,
  sha256Digest,
  writeLayout,
  type GeneratedImage,
  type GeneratedIndex,
} from './images.js';
import { runTool } from './processes.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { makeTempDir } from './temp-dir.js';
import { ACCEPT_MANIFESTS, send } from './test-http.js';
import { requireTool } from './tools.js';

interface Manifest {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
  manifests: Array<{ mediaType: string; digest: string; size: number; platform: unknown }>;
}

function parse(data: Buffer): unknown {
  return JSON.parse(data.toString('utf8'));
}

describe('rig image generator', () => {
  it('is deterministic: same options, same bytes; another seed, other digests', () => {
    const a = makeImage({ seed: 7, layers: 2, layerSize: 5000, format: 'oci' });
    const b = makeImage({ seed: 7, layers: 2, layerSize: 5000, format: 'oci' });
    const c = makeImage({ seed: 8, layers: 2, layerSize: 5000, format: 'oci' });
    expect(a.manifest.equals(b.manifest)).to.equal(true);
    expect(a.layers.map((l) => l.digest)).to.deep.equal(b.layers.map((l) => l.digest));
    expect(c.manifestDigest).to.not.equal(a.manifestDigest);
    const digests = new Set([...a.layers, ...c.layers].map((l) => l.digest));
    expect(digests.size).to.equal(4);
  });

  it('writes consistent OCI manifests, configs and digests', () => {
    const image = makeImage({ seed: 1, layers: 3, layerSize: 100, format: 'oci' });
    expect(image.mediaType).to.equal(MediaTypes.oci.manifest);
    expect(image.manifestDigest).to.equal(sha256Digest(image.manifest));
    const manifest = parse(image.manifest) as Manifest;
    expect(manifest.mediaType).to.equal(MediaTypes.oci.manifest);
    expect(manifest.config).to.deep.equal({
      mediaType: MediaTypes.oci.config,
      digest: sha256Digest(image.config),
      size: image.config.length,
    });
    expect(manifest.layers).to.deep.equal(
      image.layers.map((l) => ({
        mediaType: MediaTypes.oci.layer,
        digest: sha256Digest(l.data),
        size: l.data.length,
      })),
    );
    const config = parse(image.config) as {
      architecture: string;
      os: string;
      rootfs: { diff_ids: string[] };
    };
    expect(config.architecture).to.equal('amd64');
    expect(config.os).to.equal('linux');
    expect(config.rootfs.diff_ids).to.deep.equal(
      image.layers.map((l) => sha256Digest(gunzipSync(l.data))),
    );
  });

  it('makes layers that tar reads back: one directory and one file of layerSize bytes', async () => {
    const image = makeImage({ seed: 3, layers: 1, layerSize: 1234, format: 'oci' });
    const tar = requireTool('tar', 'tar');
    const data = image.layers[0]!.data;
    const listing = (await runTool(tar, ['-tvzf', '-'], { input: data })).toString('utf8');
    expect(listing).to.match(/^drwxr-xr-x root\/root +0 1970-01-01 00:00 bmpack-test-3\/$/m);
    expect(listing).to.match(
      /^-rw-r--r-- root\/root +1234 1970-01-01 00:00 bmpack-test-3\/layer-0\.bin$/m,
    );
    const content = await runTool(tar, ['-xzOf', '-', 'bmpack-test-3/layer-0.bin'], {
      input: data,
    });
    expect(content.length).to.equal(1234);
  });

  it('makes Docker schema2 manifests, indented as docker writes them', () => {
    const image = makeImage({ seed: 4, layers: 1, layerSize: 10, format: 'docker' });
    const manifest = parse(image.manifest) as Manifest;
    expect(image.mediaType).to.equal(MediaTypes.docker.manifest);
    expect(manifest.mediaType).to.equal(MediaTypes.docker.manifest);
    expect(manifest.config.mediaType).to.equal(MediaTypes.docker.config);
    expect(manifest.layers[0]!.mediaType).to.equal(MediaTypes.docker.layer);
    expect(image.manifest.toString('utf8')).to.include('\n   "schemaVersion": 2');
  });

  it('puts shared layers first, so two images share blobs', () => {
    const base = makeImage({ seed: 5, layers: 1, layerSize: 100, format: 'oci' });
    const app = makeImage({
      seed: 6,
      layers: 1,
      layerSize: 100,
      format: 'oci',
      sharedLayers: [base.layers[0]!.data],
    });
    expect(app.layers).to.have.length(2);
    expect(app.layers[0]!.digest).to.equal(base.layers[0]!.digest);
    expect(app.layers[1]!.digest).to.not.equal(base.layers[0]!.digest);
  });

  it('makes an index listing each platform', () => {
    const amd = makeImage({ seed: 1, layers: 1, layerSize: 10, format: 'oci' });
    const arm = makeImage({
      seed: 2,
      layers: 1,
      layerSize: 10,
      format: 'oci',
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    const index = makeIndex([amd, arm], 'oci');
    expect(index.mediaType).to.equal(MediaTypes.oci.index);
    expect((parse(index.manifest) as Manifest).manifests).to.deep.equal([
      {
        mediaType: MediaTypes.oci.manifest,
        digest: amd.manifestDigest,
        size: amd.manifest.length,
        platform: { architecture: 'amd64', os: 'linux' },
      },
      {
        mediaType: MediaTypes.oci.manifest,
        digest: arm.manifestDigest,
        size: arm.manifest.length,
        platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
      },
    ]);
    const list = makeIndex([amd], 'docker');
    expect((parse(list.manifest) as Manifest).mediaType).to.equal(MediaTypes.docker.index);
  });

  it('writes an OCI layout whose blobs match their names', async () => {
    const work = await makeTempDir('bmpack-layout-test-');
    const dir = work.path;
    try {
      const a = makeImage({ seed: 1, layers: 2, layerSize: 10, format: 'oci' });
      const b = makeImage({ seed: 2, layers: 1, layerSize: 10, format: 'oci' });
      const index = makeIndex([a, b], 'oci');
      await writeLayout(dir, [
        { ref: 'docker.io/library/a:1', image: a },
        { ref: 'multi', image: index },
      ]);
      expect(parse(await readFile(join(dir, 'oci-layout')))).to.deep.equal({
        imageLayoutVersion: '1.0.0',
      });
      const top = parse(await readFile(join(dir, 'index.json'))) as {
        manifests: Array<Record<string, unknown>>;
      };
      expect(top.manifests).to.deep.equal([
        {
          mediaType: a.mediaType,
          digest: a.manifestDigest,
          size: a.manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'docker.io/library/a:1' },
        },
        {
          mediaType: index.mediaType,
          digest: index.manifestDigest,
          size: index.manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'multi' },
        },
      ]);
      const files = await readdir(join(dir, 'blobs', 'sha256'));
      // index + 2 manifests + 2 configs + 3 layers
      expect(files).to.have.length(8);
      for (const file of files) {
        const data = await readFile(join(dir, 'blobs', 'sha256', file));
        expect(createHash('sha256').update(data).digest('hex')).to.equal(file);
      }
    } finally {
      await work.stop();
    }
  });
});

describe('rig seeding with skopeo', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('anonymous');
  });
  after(() => registry.stop());

  /** HEAD by tag: the registry's digest and the media type it serves. */
  async function head(repo: string, ref: string): Promise<[string, string]> {
    const res = await send(`${registry.origin}/v2/${repo}/manifests/${ref}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT_MANIFESTS },
    });
    expect(res.status, `${repo}:${ref}`).to.equal(200);
    return [String(res.headers['docker-content-digest']), String(res.headers['content-type'])];
  }

  async function seedAndCheck(item: GeneratedImage | GeneratedIndex, repo: string): Promise<void> {
    const digest = await seedImage(registry, item, `${repo}:v1`);
    expect(digest).to.equal(item.manifestDigest);
    expect(await head(repo, 'v1')).to.deep.equal([item.manifestDigest, item.mediaType]);
    const images = item.kind === 'index' ? item.images : [item];
    for (const image of images) {
      expect(await head(repo, image.manifestDigest)).to.deep.equal([
        image.manifestDigest,
        image.mediaType,
      ]);
      for (const layer of image.layers) {
        const blob = await send(`${registry.origin}/v2/${repo}/blobs/${layer.digest}`);
        expect(blob.body.equals(layer.data)).to.equal(true);
      }
    }
  }

  it('pushes an OCI image with the generator digest', async () => {
    await seedAndCheck(
      makeImage({ seed: 21, layers: 2, layerSize: 2048, format: 'oci' }),
      'seed/oci',
    );
  });

  it('pushes a Docker schema2 image unconverted', async () => {
    await seedAndCheck(
      makeImage({ seed: 22, layers: 2, layerSize: 2048, format: 'docker' }),
      'seed/docker',
    );
  });

  it('pushes a multi-arch OCI index with its children', async () => {
    const images = [
      makeImage({ seed: 23, layers: 1, layerSize: 512, format: 'oci' }),
      makeImage({
        seed: 24,
        layers: 1,
        layerSize: 512,
        format: 'oci',
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      }),
    ];
    await seedAndCheck(makeIndex(images, 'oci'), 'seed/index');
  });

  it('pushes a Docker manifest list with its children', async () => {
    const images = [
      makeImage({ seed: 25, layers: 1, layerSize: 512, format: 'docker' }),
      makeImage({
        seed: 26,
        layers: 1,
        layerSize: 512,
        format: 'docker',
        platform: { os: 'linux', architecture: 'arm64' },
      }),
    ];
    await seedAndCheck(makeIndex(images, 'docker'), 'seed/list');
  });
});
