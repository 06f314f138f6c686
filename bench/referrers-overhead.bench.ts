/**
 * What carrying referrers costs `bundle create` (issue 15: "no more than
 * one round trip per image on a registry without any"): the same release
 * bundled with `referrers: none` and with every kind, through a counting
 * proxy in front of distribution 2.8, cold cache each time; round trips
 * counted, wall time as a median of REPEAT runs. Then the same release
 * with a cosign signature and a Sigstore bundle on every image, to show
 * what carrying them takes. Writes the "referrers" section of RESULTS.md.
 *
 *     npx mocha --no-config --import=tsx --require test/rig/hooks.ts --timeout 600000 bench/referrers-overhead.bench.ts
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { createBundle } from '../src/bundle-writer/create-bundle.js';
import { cosignSign, makeKey } from '../test/rig/cosign.js';
import { startFaultProxy, type FaultProxy } from '../test/rig/fault-proxy.js';
import { makeImage } from '../test/rig/image-generator.js';
import { clientFor } from '../test/rig/registry-client.js';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { writeImageSet } from '../test/rig/release-fixture.js';
import { seedImage } from '../test/rig/seed.js';
import { attachBundle, signBundle } from '../test/rig/sigstore.js';
import { writeSection } from './results-section.js';

const REPOS = 20;
const TAGS = 2;
const REPEAT = 5;

interface Run {
  readonly requests: number;
  readonly seconds: number;
}

describe('bench: what referrers cost bundle create', function () {
  this.timeout(600_000);
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  const images = Array.from({ length: REPOS * TAGS }, (_, i) =>
    makeImage({ seed: 500 + i, layers: 2, layerSize: 64 * 1024, format: 'oci' }),
  );
  const refs = images.map((_, i) => `bench/app-${Math.floor(i / TAGS)}:${(i % TAGS) + 1}`);

  before(async () => {
    registry = await startRegistry('anonymous');
    for (const [i, image] of images.entries()) await seedImage(registry, image, refs[i]!);
    proxy = await startFaultProxy(registry);
    work = await writeImageSet(refs.map((r) => `${proxy.host}/${r}`));
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
    await work.cleanup();
  });

  async function create(referrers: 'none' | undefined, n: number): Promise<Run> {
    const dir = join(work.dir, `run-${n}`);
    await mkdir(dir, { recursive: true });
    proxy.requests.length = 0;
    const started = process.hrtime.bigint();
    await createBundle({
      manifests: [work.file],
      output: join(dir, 'b.tar.xz'),
      cacheDir: join(dir, 'cache'),
      insecureRegistries: [proxy.host],
      env: {},
      ...(referrers !== undefined ? { referrers } : {}),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const requests = proxy.requests.length;
    await rm(dir, { recursive: true, force: true });
    return { requests, seconds };
  }

  async function series(referrers: 'none' | undefined, from: number): Promise<Run> {
    const runs: Run[] = [];
    for (let i = 0; i < REPEAT; i++) runs.push(await create(referrers, from + i));
    const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
    return { requests: runs[0]!.requests, seconds: seconds[Math.floor(REPEAT / 2)]! };
  }

  it('adds at most one round trip per image on a registry without referrers; reports the cost with them', async () => {
    const none = await series('none', 0);
    const all = await series(undefined, 100);
    const perImage = (all.requests - none.requests) / images.length;
    // Sign every image: a cosign signature and a Sigstore bundle referrer each.
    const key = makeKey();
    const client = clientFor(registry);
    try {
      for (const [i, image] of images.entries()) {
        const at = { registry: registry.host, repository: refs[i]!.split(':')[0]! };
        await cosignSign(client, at, image.manifestDigest, key);
        const subject = {
          digest: image.manifestDigest,
          size: image.manifest.length,
          mediaType: image.mediaType,
        };
        await attachBundle(client, at, subject, signBundle(image.manifestDigest, { key }));
      }
    } finally {
      await client.close();
    }
    const signed = await series(undefined, 200);
    const lines = [
      '## Referrers in bundle create (issue 15)',
      '',
      `\`npx mocha --no-config --import=tsx --require test/rig/hooks.ts bench/referrers-overhead.bench.ts\`, ${new Date().toISOString().slice(0, 10)}: ${images.length} images (${REPOS} repositories × ${TAGS} tags, 2 layers of 64 KiB each) from distribution 2.8 (no referrers API) through a counting proxy; cold cache, median of ${REPEAT} runs.`,
      '',
      '| release | referrers | round trips | per image | wall (median) |',
      '| --- | --- | ---: | ---: | ---: |',
      `| unsigned | none | ${none.requests} | ${(none.requests / images.length).toFixed(2)} | ${none.seconds.toFixed(2)} s |`,
      `| unsigned | all | ${all.requests} | ${(all.requests / images.length).toFixed(2)} | ${all.seconds.toFixed(2)} s |`,
      `| signed (a cosign signature and a Sigstore bundle each) | all | ${signed.requests} | ${(signed.requests / images.length).toFixed(2)} | ${signed.seconds.toFixed(2)} s |`,
      '',
      `Carrying referrers from a registry without any costs ${all.requests - none.requests} round trips for ${images.length} images: ${perImage.toFixed(2)} per image (target ≤ 1: ${perImage <= 1 ? 'PASS' : 'FAIL'}): one tags/list per repository and one referrers API question per registry. Wall time ${(all.seconds / none.seconds).toFixed(2)}× the run without.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await writeSection('referrers', lines.join('\n'));
    expect(perImage).to.be.at.most(1);
  });
});
