/**
 * The scale bench (issue 17): `npm run bench -- --scale 1g` or `--scale 8g`.
 * A generated release of 400 images and about 2,000 blobs (40 shared base
 * layers, four own layers and a config per image, incompressible content)
 * of the given size is pushed into a distribution 2.8 registry; then, each
 * under GNU time (wall seconds, peak RSS), the built bmpack runs bundle
 * create (cold cache), verify, inspect, push images into a fresh registry
 * (and its re-run), bundle merge, and serve (start-up, then every blob
 * fetched through it); and in the same run the registries' floors
 * (floors.ts): the source's serving floor and the target's ingest floor.
 * Writes the "scale-Ng" section of RESULTS.md. Run by run.ts (the
 * supervisor), which passes the run directory.
 */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { Pool } from 'undici';
import { MediaType } from '../src/oci/media-types.js';
import { sha256Digest } from '../src/content/digest.js';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { stopAll } from '../test/rig/processes.js';
import { ingestFloor, servingFloor, uploadBlob, type FloorBlob } from './floors.js';
import { repoRoot } from './options.js';
import { writeSection } from './results-section.js';
import { requireGnuTime, timed, type TimedResult } from './timed.js';
import { keystream } from './workload.js';

const IMAGES = 400;
const BASES = 40;
const OWN = 4;

interface Layer {
  readonly key: string;
  readonly digest: string;
  readonly size: number;
}

const gb = Number(/^(\d+(?:\.\d+)?)g$/i.exec(process.env['BENCH_SCALE_GB'] ?? '1g')?.[1] ?? '1');
const runDir = process.env['BENCH_RUN_DIR'] ?? join(repoRoot, '.bench-work', 'scale');
const total = gb * 1e9;
const baseSize = Math.round((0.1 * total) / BASES);
const ownSize = Math.round((0.9 * total) / (IMAGES * OWN));
const bytesOf = (l: { key: string; size: number }): Buffer => keystream(l.key, l.size);

function layer(key: string, size: number): Layer {
  return { key, size, digest: sha256Digest(bytesOf({ key, size })) };
}

function log(message: string): void {
  process.stderr.write(`[scale ${gb}g] ${message}\n`);
}

function upload(pool: Pool, origin: string, repo: string, digest: string, body: Buffer) {
  return uploadBlob(pool, origin, repo, { digest, size: body.length }, body);
}

/** Pushes the release; returns the image references and every distinct blob with a repository using it. */
async function seed(reg: RunningRegistry): Promise<{
  refs: string[];
  blobs: FloorBlob[];
  bytes: number;
}> {
  const pool = new Pool(reg.origin, { connections: 8 });
  const limit = pLimit(8);
  const bases = Array.from({ length: BASES }, (_, i) => layer(`scale:${gb}:base:${i}`, baseSize));
  await Promise.all(
    bases.map((b) => limit(() => upload(pool, reg.origin, 'scale/base', b.digest, bytesOf(b)))),
  );
  const blobs: FloorBlob[] = bases.map((b) => ({
    repo: 'scale/base',
    digest: b.digest,
    size: b.size,
  }));
  const refs: string[] = [];
  await Promise.all(
    Array.from({ length: IMAGES }, (_, i) =>
      limit(async () => {
        const repo = `scale/app-${String(i).padStart(3, '0')}`;
        const base = bases[i % BASES]!;
        const mount = await pool.request({
          method: 'POST',
          path: `/v2/${repo}/blobs/uploads/?mount=${base.digest}&from=scale/base`,
        });
        await mount.body.dump();
        const own = Array.from({ length: OWN }, (_, j) => layer(`scale:${gb}:${i}:${j}`, ownSize));
        for (const l of own) await upload(pool, reg.origin, repo, l.digest, bytesOf(l));
        const config = Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            rootfs: { type: 'layers', diff_ids: [base, ...own].map((l) => l.digest) },
            config: { Labels: { image: String(i) } },
          }),
        );
        const configDigest = sha256Digest(config);
        await upload(pool, reg.origin, repo, configDigest, config);
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.ociManifest,
            config: { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length },
            layers: [base, ...own].map((l) => ({
              mediaType: MediaType.ociLayerGzip,
              digest: l.digest,
              size: l.size,
            })),
          }),
        );
        const put = await pool.request({
          method: 'PUT',
          path: `/v2/${repo}/manifests/1`,
          headers: { 'content-type': MediaType.ociManifest },
          body: manifest,
        });
        await put.body.dump();
        if (put.statusCode !== 201) throw new Error(`seed manifest ${repo}: ${put.statusCode}`);
        refs.push(`${reg.host}/${repo}:1`);
        blobs.push(...own.map((l) => ({ repo, digest: l.digest, size: l.size })), {
          repo,
          digest: configDigest,
          size: config.length,
        });
      }),
    ),
  );
  await pool.close();
  refs.sort();
  return { refs, blobs, bytes: blobs.reduce((s, b) => s + b.size, 0) };
}

const node = process.execPath;
const runJs = join(repoRoot, 'bin', 'run.js');

async function bmpack(label: string, args: readonly string[]): Promise<TimedResult> {
  const r = await timed(label, node, [runJs, ...args], {
    timeDir: join(runDir, 'time'),
    timeoutMs: 3 * 3600_000,
  });
  log(`${label}: ${r.wallSeconds.toFixed(1)} s, ${(r.maxRssKiB / 1024).toFixed(0)} MB`);
  return r;
}

async function main(): Promise<void> {
  requireGnuTime();
  await mkdir(join(runDir, 'time'), { recursive: true });
  const source = await startRegistry('anonymous');
  log(`seeding ${IMAGES} images (${(total / 1e9).toFixed(1)} GB) into ${source.host}`);
  const started = performance.now();
  const release = await seed(source);
  log(
    `seeded ${release.blobs.length} blobs, ${(release.bytes / 1e9).toFixed(2)} GB in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const manifest = join(runDir, 'scale.yaml');
  await writeFile(
    manifest,
    [
      'apiVersion: bmpack.io/v1',
      'kind: ImageSet',
      'metadata:',
      '  name: scale',
      `  version: ${gb}g`,
      'spec:',
      '  images:',
      ...release.refs.map((r) => `    - ${r}`),
      '',
    ].join('\n'),
  );
  const GB = release.bytes / 1e9;
  const serving = await servingFloor(source.origin, release.blobs);
  log(`serving floor ${serving.toFixed(1)} s`);
  const bundle = join(runDir, 'scale.tar.xz');
  const create = await bmpack('bundle create (cold)', [
    'bundle',
    'create',
    '--manifest',
    manifest,
    '--insecure-registry',
    source.host,
    '--cache-dir',
    join(runDir, 'cache'),
    '--output',
    bundle,
    '--progress',
    'none',
  ]);
  const verify = await bmpack('bundle verify', ['bundle', 'verify', bundle, '--progress', 'none']);
  const inspect = await bmpack('bundle inspect', ['bundle', 'inspect', bundle]);
  const floorTarget = await startRegistry('anonymous');
  // The simplest client reads each blob where the source registry keeps it (distribution's
  // filesystem storage layout), as bmpack reads the bundle: from the page cache.
  const stored = (b: FloorBlob) => {
    const hex = b.digest.slice('sha256:'.length);
    const at = [
      'storage',
      'docker',
      'registry',
      'v2',
      'blobs',
      'sha256',
      hex.slice(0, 2),
      hex,
      'data',
    ];
    return createReadStream(join(source.dir, ...at), { highWaterMark: 1024 * 1024 });
  };
  const ingest = await ingestFloor(floorTarget.origin, 'floor', release.blobs, stored);
  log(`ingest floor ${ingest.toFixed(1)} s`);
  await floorTarget.stop();
  const target = await startRegistry('anonymous');
  const pushArgs = [
    'push',
    'images',
    '--source',
    bundle,
    '--private-registry',
    `${target.host}/mirror`,
    '--plain-http',
    '--need-credential=false',
  ];
  const push = await bmpack('push images', [...pushArgs, '--progress', 'json']);
  const firstByte = push.lines.find(
    (l) => l.text.includes('"type":"bytes"') && l.text.includes('"phase":"upload"'),
  )?.at;
  const repush = await bmpack('push images (re-run)', [...pushArgs, '--progress', 'none']);
  await target.stop();
  const merge = await bmpack('bundle merge', [
    'bundle',
    'merge',
    bundle,
    '--output',
    join(runDir, 'merged.tar.xz'),
    '--progress',
    'none',
  ]);
  await source.stop();
  const rate = (r: { wallSeconds: number }) => (r.wallSeconds / GB).toFixed(2);
  const mb = (r: TimedResult) => (r.maxRssKiB / 1024).toFixed(0);
  const lines = [
    `## Scale: ${gb} GB, ${IMAGES} images (issue 17)`,
    '',
    `\`npm run bench -- --scale ${gb}g\`, ${new Date().toISOString().slice(0, 10)}: ${IMAGES} images, ${release.blobs.length} distinct configs and layers (${BASES} shared bases of ${(baseSize / 1e6).toFixed(1)} MB, ${OWN} own layers of ${(ownSize / 1e6).toFixed(2)} MB each), ${GB.toFixed(2)} GB, incompressible; distribution 2.8 on 127.0.0.1; the built bmpack under GNU time.`,
    '',
    '| step | wall | s/GB | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    ...(
      [
        ['bundle create (cold cache)', create],
        ['bundle verify', verify],
        ['bundle inspect', inspect],
        ['push images (empty registry)', push],
        ['push images (re-run)', repush],
        ['bundle merge (one input: a full rewrite)', merge],
      ] as const
    ).map(([name, r]) => `| ${name} | ${r.wallSeconds.toFixed(1)} s | ${rate(r)} | ${mb(r)} MB |`),
    '',
    `- source serving floor (every blob once, 8 keep-alive connections): ${serving.toFixed(1)} s; create / floor = **${(create.wallSeconds / serving).toFixed(2)}** (target ≤ 2.5: ${create.wallSeconds / serving <= 2.5 ? 'PASS' : 'FAIL'})`,
    `- target ingest floor (every blob once, monolithic POST + PUT, 8 connections, one repository): ${ingest.toFixed(1)} s; push / floor = **${(push.wallSeconds / ingest).toFixed(2)}** (target ≤ 1.15: ${push.wallSeconds / ingest <= 1.15 ? 'PASS' : 'FAIL'})`,
    `- push, before its first byte (each phase's start, s after spawn): ${phasesBefore(push, firstByte)}`,
    `- push: first uploaded byte ${firstByte !== undefined ? `${firstByte.toFixed(2)} s after start` : 'not seen'} (target < 0.5 s: ${firstByte !== undefined && firstByte < 0.5 ? 'PASS' : 'FAIL'})`,
    `- peak RSS at most 300 MB in every step: ${[create, verify, inspect, push, repush, merge].every((r) => r.maxRssKiB / 1024 <= 300) ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await writeSection(`scale-${gb}g`, lines.join('\n'));
}

/** The push's phase events up to its first uploaded byte, with their times. */
function phasesBefore(r: TimedResult, until: number | undefined): string {
  return r.lines
    .filter((l) => l.text.includes('"type":"phase"') && (until === undefined || l.at <= until))
    .map((l) => `${/"phase":"([^"]+)"/.exec(l.text)?.[1] ?? '?'} ${l.at.toFixed(2)}`)
    .join(', ');
}

try {
  await main();
} finally {
  await stopAll();
}
