/**
 * A small, realistic release in a real registry: a multi-arch OCI index and
 * a Docker image sharing a base layer, a Docker manifest list, and an image
 * that repeats one layer inside itself.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeImage,
  makeIndex,
  makeLayer,
  type GeneratedImage,
  type GeneratedIndex,
} from './image-generator.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import type { BundleMetadata } from '../../src/bundle-format/index.js';
import { runTool } from './processes.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { requireTool } from './tools.js';
import { seedImage } from './seed.js';
import { makeTempDir } from './temp-dir.js';

export interface ReleaseFixture {
  readonly images: ReadonlyArray<{
    readonly ref: string;
    readonly item: GeneratedImage | GeneratedIndex;
  }>;
  /** Distinct configs and layers across all images. */
  readonly uniqueBlobs: number;
  /** Distinct manifests and indexes. */
  readonly uniqueDocuments: number;
}

export async function seedRelease(
  reg: RunningRegistry,
  bigLayerSize = 300_000,
): Promise<ReleaseFixture> {
  const base = makeLayer(900, 0, 200_000).data;
  const amd = makeImage({
    seed: 101,
    layers: 1,
    layerSize: bigLayerSize,
    format: 'oci',
    sharedLayers: [base],
  });
  const arm = makeImage({
    seed: 102,
    layers: 1,
    layerSize: 50_000,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    sharedLayers: [base],
  });
  const multi = makeIndex([amd, arm], 'oci');
  const docker = makeImage({
    seed: 103,
    layers: 2,
    layerSize: 40_000,
    format: 'docker',
    sharedLayers: [base],
  });
  const dAmd = makeImage({ seed: 104, layers: 1, layerSize: 30_000, format: 'docker' });
  const dArm = makeImage({
    seed: 105,
    layers: 1,
    layerSize: 30_000,
    format: 'docker',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const list = makeIndex([dAmd, dArm], 'docker');
  const repeated = makeImage({
    seed: 106,
    layers: 1,
    layerSize: 20_000,
    format: 'oci',
    sharedLayers: [makeLayer(906, 0, 10_000).data, makeLayer(906, 0, 10_000).data],
  });
  const images = [
    { ref: `${reg.host}/release/multi:1.0`, item: multi },
    { ref: `${reg.host}/release/docker:1.0`, item: docker },
    { ref: `${reg.host}/release/list:1.0`, item: list },
    { ref: `${reg.host}/other/repeated:2`, item: repeated },
  ];
  for (const i of images) await seedImage(reg, i.item, i.ref.slice(reg.host.length + 1));
  const blobs = new Set<string>();
  const docs = new Set<string>();
  for (const img of [amd, arm, docker, dAmd, dArm, repeated]) {
    blobs.add(img.configDigest);
    for (const l of img.layers) blobs.add(l.digest);
    docs.add(img.manifestDigest);
  }
  docs.add(multi.manifestDigest);
  docs.add(list.manifestDigest);
  return { images, uniqueBlobs: blobs.size, uniqueDocuments: docs.size };
}

/** A temp folder (removed by `cleanup`, or else by the root hook) with an ImageSet manifest listing `refs`. */
export async function writeImageSet(
  refs: readonly string[],
  version = '1.0.0',
): Promise<{ dir: string; file: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir('bmpack-create-');
  const dir = temp.path;
  const file = join(dir, 'release.yaml');
  const lines = [
    'apiVersion: bmpack.io/v1',
    'kind: ImageSet',
    'metadata:',
    '  name: test-release',
    `  version: ${version}`,
    'spec:',
    '  images:',
    ...refs.map((r) => `    - ${r}`),
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return { dir, file, cleanup: () => temp.stop() };
}

/** `bmpack bundle create` of the image set in `work` from `reg`, into `work.dir/name`. */
export async function bundleImageSet(
  reg: RunningRegistry,
  work: { dir: string; file: string },
  name: string,
): Promise<string> {
  const result = await createBundle({
    manifests: [work.file],
    output: join(work.dir, name),
    cacheDir: join(work.dir, 'cache'),
    insecureRegistries: [reg.host],
    env: {},
  });
  return result.output;
}

export interface BuiltRelease {
  readonly reg: RunningRegistry;
  readonly release: ReleaseFixture;
  readonly work: Awaited<ReturnType<typeof writeImageSet>>;
  readonly xzBundle: string;
  readonly tarBundle: string;
  readonly metadata: BundleMetadata;
}

/**
 * The release seeded into a fresh registry and bundled twice, as .tar.xz and
 * .tar, with its bmpack.json read back by GNU tar. A layer over 1 MiB gets
 * xz blocks of its own, so the .tar.xz has several.
 */
export async function buildRelease(): Promise<BuiltRelease> {
  const reg = await startRegistry('anonymous');
  const release = await seedRelease(reg, 3_000_000);
  const work = await writeImageSet(release.images.map((i) => i.ref));
  const xzBundle = await bundleImageSet(reg, work, 'bundle.tar.xz');
  const tarBundle = await bundleImageSet(reg, work, 'bundle.tar');
  const bmpackJson = await runTool(requireTool('tar', 'tar'), ['-xOJf', xzBundle, 'bmpack.json']);
  const metadata = JSON.parse(bmpackJson.toString()) as BundleMetadata;
  return { reg, release, work, xzBundle, tarBundle, metadata };
}
