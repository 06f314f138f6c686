import { createHash, randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource, type BundleSource } from '../src/bundle-reader/index.js';
import { planBundle } from '../src/bundle-writer/bundle-plan.js';
import type { BundleBlob, ResolvedImage } from '../src/bundle-writer/image-closure.js';
import { writeBundle } from '../src/bundle-writer/write-bundle.js';
import { BlobCache } from '../src/cache/blob-cache.js';
import { sha256Digest } from '../src/content/digest.js';
import { MediaType } from '../src/oci/media-types.js';
import { runTool } from '../test/rig/processes.js';
import { makeTempDir, type TrackedDir } from '../test/rig/temp-dir.js';
import { tar, xz } from '../test/bundle-reader/archive-kit.js';

const IMAGES = 8;
const LAYERS = [12, 8, 4, 0.25].map((mib) => mib * 1024 * 1024);

/** A release of IMAGES images of random (incompressible) layers, about 200 MB. */
async function makeRelease(cache: BlobCache): Promise<ResolvedImage[]> {
  const images: ResolvedImage[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const blobs: BundleBlob[] = [];
    const layers = [];
    for (const size of LAYERS) {
      const data = randomBytes(size);
      const digest = sha256Digest(data);
      await cache.putBytes({ digest, size }, data, 'layer');
      blobs.push({ digest, size, mediaType: MediaType.ociLayerGzip, kind: 'layer' });
      layers.push({ mediaType: MediaType.ociLayerGzip, digest, size });
    }
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', i }));
    const configDigest = sha256Digest(config);
    await cache.putBytes({ digest: configDigest, size: config.length }, config, 'config');
    blobs.unshift({
      digest: configDigest,
      size: config.length,
      mediaType: MediaType.ociConfig,
      kind: 'config',
    });
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length },
        layers,
      }),
    );
    const top = {
      digest: sha256Digest(manifest),
      mediaType: MediaType.ociManifest,
      kind: 'manifest' as const,
      bytes: manifest,
    };
    images.push({
      reference: `registry.example/perf/image${i}:1`,
      registry: 'registry.example',
      repository: `perf/image${i}`,
      top,
      platforms: ['linux/amd64'],
      documents: [top],
      blobs,
    });
  }
  return images;
}

/** Reads every blob with `parallel` streams, hashing as a push would; MB/s. */
async function readAll(source: BundleSource, parallel: number): Promise<number> {
  const queue = [...source.blobOrder];
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: source.randomAccess ? parallel : 1 }, async () => {
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        const hash = createHash('sha256');
        for await (const chunk of source.openBlob(d)) {
          hash.update(chunk);
          bytes += chunk.length;
        }
        expect(`sha256:${hash.digest('hex')}`).to.equal(d);
      }
    }),
  );
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

async function bestOpen(file: string): Promise<{ ms: number; source: BundleSource }> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const s = await openBundleSource(file);
    best = Math.min(best, performance.now() - started);
    await s.close();
  }
  return { ms: best, source: await openBundleSource(file) };
}

describe('archive performance on a ~200 MB bundle (printed, loosely asserted)', function () {
  this.timeout(600_000);
  let work: TrackedDir;
  const at = (name: string): string => join(work.path, name);
  const report: string[] = [];

  before(async () => {
    work = await makeTempDir('bmpack-archive-perf-');
    const cache = new BlobCache(at('cache'));
    const plan = planBundle(await makeRelease(cache), {
      name: 'perf',
      version: '1',
      toolVersion: '0.0.0',
      mtime: 0,
    });
    await writeBundle(plan, cache, { output: at('perf.tar.xz') });
    await writeBundle(plan, cache, { output: at('perf.tar'), plainTar: true });
  });
  after(async () => {
    for (const line of report) console.log(`      ${line}`);
    await work.stop();
  });

  for (const name of ['perf.tar.xz', 'perf.tar']) {
    it(`opens bmpack ${name} and streams blobs in parallel (timings printed)`, async () => {
      const size = (await stat(at(name))).size;
      const { ms, source } = await bestOpen(at(name));
      try {
        expect(source.kind).to.equal('bmpack');
        const one = await readAll(source, 1);
        const eight = await readAll(source, 8);
        report.push(
          `bmpack ${name} (${(size / 1e6).toFixed(0)} MB): open ${ms.toFixed(1)} ms; ` +
            `read+sha256 ${one.toFixed(0)} MB/s with 1 stream, ${eight.toFixed(0)} MB/s with 8`,
        );
      } finally {
        await source.close();
      }
    });
  }

  it('scans foreign repackings: GNU tar by headers, multi-block xz by one decode', async () => {
    const dir = at('extracted');
    await mkdir(dir);
    await runTool(tar(), ['-xf', at('perf.tar'), '-C', dir]);
    await runTool(tar(), ['-cf', at('gnu.tar'), '-C', dir, '.']);
    await runTool(
      'sh',
      ['-c', `${xz()} -0 -T2 --block-size=8MiB -c "${at('gnu.tar')}" > "${at('gnu.tar.xz')}"`],
      { timeoutMs: 300_000 },
    );
    for (const name of ['gnu.tar', 'gnu.tar.xz']) {
      const { ms, source } = await bestOpen(at(name));
      try {
        expect(source.kind).to.equal('bmpack');
        expect(source.randomAccess).to.equal(true);
        const eight = await readAll(source, 8);
        report.push(
          `foreign ${name}: open (scan) ${ms.toFixed(0)} ms; read+sha256 ${eight.toFixed(0)} MB/s with 8 streams`,
        );
      } finally {
        await source.close();
      }
    }
  });
});
