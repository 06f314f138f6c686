/**
 * The demo's "public" images: a small release made up on the spot by the
 * rig's deterministic generator (test/rig/image-generator.ts), shaped like a
 * real one. Four images share one base layer, one of them is a Docker
 * schema2 image and the rest OCI, and one is a multi-arch OCI index (amd64 and
 * arm64). About 20 MiB of distinct layers, about 38 MiB counted per image.
 */
import {
  makeImage,
  makeIndex,
  makeLayer,
  type GeneratedImage,
  type GeneratedIndex,
} from '../rig/image-generator.js';

/** One image of the demo release: its path and tag, and what it is. */
export interface DemoImage {
  /** `PATH:TAG`, as it appears after the registry host in manifests/demo.yaml. */
  readonly name: string;
  readonly item: GeneratedImage | GeneratedIndex;
  /** What it is, in a few words, for the demo's output. */
  readonly about: string;
}

const MiB = 1024 * 1024;

function nodeAgent(base: Buffer): GeneratedIndex {
  const amd64 = makeImage({
    seed: 31,
    layers: 1,
    layerSize: 1.5 * MiB,
    format: 'oci',
    sharedLayers: [base],
  });
  const arm64 = makeImage({
    seed: 32,
    layers: 1,
    layerSize: 1.5 * MiB,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    sharedLayers: [makeLayer(20, 0, 3 * MiB).data],
  });
  return makeIndex([amd64, arm64], 'oci');
}

/** Generates the release (deterministic: the same bytes and digests on every run). */
export function demoImages(): DemoImage[] {
  const base = makeLayer(10, 0, 6 * MiB).data;
  return [
    {
      name: 'demo/base-os:12.7',
      item: makeImage({ seed: 11, layers: 0, layerSize: 0, format: 'oci', sharedLayers: [base] }),
      about: 'OCI image, the shared base layer',
    },
    {
      name: 'demo/api-server:2.4.1',
      item: makeImage({
        seed: 12,
        layers: 2,
        layerSize: 2 * MiB,
        format: 'docker',
        sharedLayers: [base],
      }),
      about: 'Docker schema2 image on the base',
    },
    {
      name: 'demo/controller:2.4.1',
      item: makeImage({
        seed: 13,
        layers: 1,
        layerSize: 4 * MiB,
        format: 'oci',
        sharedLayers: [base],
      }),
      about: 'OCI image on the base',
    },
    {
      name: 'demo/node-agent:2.4.1',
      item: nodeAgent(base),
      about: 'multi-arch OCI index: linux/amd64 on the base, linux/arm64',
    },
  ];
}

/** Bytes of an image or index counted as a registry shows them: every blob of every image. */
export function imageBytes(item: GeneratedImage | GeneratedIndex): number {
  const images = item.kind === 'index' ? item.images : [item];
  let total = item.kind === 'index' ? item.manifest.length : 0;
  for (const image of images) {
    total += image.manifest.length + image.config.length;
    for (const layer of image.layers) total += layer.size;
  }
  return total;
}
