/**
 * The scale bench (issue 17): `npm run bench -- --scale 1g` or `--scale 8g`.
 * A generated release of the given size, the same kind at every size so
 * that seconds per GB can be compared: 50 images and 5 shared base layers
 * of 20 MB per GB (8g: 400 images, 40 bases, 2,040 blobs), each image a
 * base, four own layers of 4.5 MB and a config, incompressible content. It
 * is pushed into a distribution 2.8 registry; then, each under GNU time
 * (wall seconds, peak RSS), the built bmpack runs bundle create (cold
 * cache), verify, inspect, push images into a fresh registry (and its
 * re-run), bundle merge, and serve (start-up, then every blob fetched
 * through it); and in the same run the floors (floors.ts): the source's
 * serving floor, the target's ingest floor, and the disk's write floor
 * (the release's size written once and synced, by dd). The peer's re-push
 * is skopeo copying every image again into the pushed registry; the floors
 * under a re-push (repush-floors.ts) are its requests alone, by curl and by
 * a bare node. Writes the
 * "scale-Ng" section of RESULTS.md. Run by run.ts (the supervisor), which
 * passes the run directory.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { Pool } from 'undici';
import { MediaType } from '../src/oci/media-types.js';
import { sha256Digest } from '../src/content/digest.js';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { requireTool } from '../test/rig/tools.js';
import { stopAll } from '../test/rig/processes.js';
import { ingestFloor, servingFloor, uploadBlob, type FloorBlob } from './floors.js';
import { anonymousPushArgs } from '../test/reliability/network-faults-kit.js';
import { medianBy } from './median.js';
import {
  curlRepushFloor,
  nodeRepushFloor,
  repushConnections,
  repushPaths,
} from './repush-floors.js';
import { repoRoot } from './options.js';
import { cacheDropped, filesUnder, settle as settleCache } from './page-cache.js';
import { writeSection } from './results-section.js';
import {
  agreementSection,
  ingestFloorStep,
  recordScaleRun,
  servingFloorStep,
} from './scale-agreement.js';
import { peakRss, startServe, stopServe } from './serve-process.js';
import { requireGnuTime, timed, type TimedResult } from './timed.js';
import { keystream } from './workload.js';

const OWN = 4;

interface Layer {
  readonly key: string;
  readonly digest: string;
  readonly size: number;
}

const gb = Number(/^(\d+(?:\.\d+)?)g$/i.exec(process.env['BENCH_SCALE_GB'] ?? '1g')?.[1] ?? '1');
const runDir = process.env['BENCH_RUN_DIR'] ?? join(repoRoot, '.bench-work', 'scale');
// Per GB: 50 images of 4 own layers of 4.5 MB (0.9 GB) and 5 bases of 20 MB (0.1 GB).
const IMAGES = Math.max(1, Math.round(50 * gb));
const BASES = Math.max(1, Math.round(5 * gb));
const baseSize = 20_000_000;
const ownSize = 4_500_000;
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

/**
 * Dropping the page cache drops the programs the steps run too; each step
 * would pay for loading its program from disk (bmpack's --version: 0.19 s
 * instead of 0.10 s), which the floors, run in this process, never do. So
 * each program runs once first (bmpack's --version, skopeo's), as after an
 * earlier run. Not read whole: a binary read into the page cache is mapped
 * in larger pieces, and node's counted ~30 MB more towards a step's peak RSS.
 */
function warmPrograms(skopeo: string): void {
  for (const [command, args] of [
    [node, [runJs, '--version']],
    [skopeo, ['--version']],
  ] as const) {
    const r = spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 });
    if (r.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed: ${String(r.error ?? r.status)}`);
  }
}

/** Re-pushes timed; the median counts. */
const REPUSH_RUNS = 5;

/** The run with the median wall time, with the largest peak RSS of them all. */
function medianRun(runs: readonly TimedResult[]): TimedResult {
  const median = medianBy(runs, (r) => r.wallSeconds);
  return { ...median, maxRssKiB: Math.max(...runs.map((r) => r.maxRssKiB)) };
}

async function bmpack(label: string, args: readonly string[]): Promise<TimedResult> {
  // BENCH_PROF=DIR: each step writes a CPU profile (node --cpu-prof) into DIR/<step>.
  const prof = process.env['BENCH_PROF'];
  const slug = label.replace(/[^a-z]+/gi, '-');
  // BENCH_NODE_FLAGS="--trace-gc …": node flags for every step; BENCH_STDOUT_DIR keeps each step's stdout.
  const flags = process.env['BENCH_NODE_FLAGS']?.split(' ').filter((f) => f !== '') ?? [];
  const launch = [
    ...flags,
    ...(prof !== undefined ? ['--cpu-prof', '--cpu-prof-dir', join(prof, slug)] : []),
  ];
  const r = await timed(label, node, [...launch, runJs, ...args], {
    timeDir: join(runDir, 'time'),
    timeoutMs: 3 * 3600_000,
  });
  log(`${label}: ${r.wallSeconds.toFixed(1)} s, ${(r.maxRssKiB / 1024).toFixed(0)} MB`);
  const keep = process.env['BENCH_STDOUT_DIR'];
  if (keep !== undefined) await writeFile(join(keep, `${slug}.stdout`), r.stdout);
  return r;
}

/**
 * Each step that a target's ratio compares with a floor, and that floor,
 * run this many times, alternating; the medians count. One run of either
 * is as much the machine's drift (the serving floor alone: 1.3-1.6 s at
 * 1 GB between runs of one day) as what it measures.
 */
const STEP_RUNS = 3;

/** The median of numbers, and all of them for the report. */
function medianOf(values: readonly number[], digits: number): string {
  const list = values.map((v) => v.toFixed(digits)).join(', ');
  return `${medianBy(values, (v) => v).toFixed(digits)} s (${list})`;
}

function createArgs(manifest: string, sourceHost: string, bundle: string): string[] {
  return [
    'bundle',
    'create',
    '--manifest',
    manifest,
    '--insecure-registry',
    sourceHost,
    '--cache-dir',
    join(runDir, 'cache'),
    '--output',
    bundle,
    '--progress',
    'none',
  ];
}

/** push images of `bundle` into `targetHost`/mirror (the test kit's; it ends with --json). */
function pushArgs(bundle: string, targetHost: string, progress: 'json' | 'none'): string[] {
  return anonymousPushArgs(bundle, `${targetHost}/mirror`, '--progress', progress);
}

/** Seconds from spawn to a push's first uploaded byte (its --progress json events). */
function firstUploadByte(push: TimedResult): number | undefined {
  return push.lines.find(
    (l) => l.text.includes('"type":"bytes"') && l.text.includes('"phase":"upload"'),
  )?.at;
}

/**
 * The ingest floor's client reads each blob where the source registry keeps
 * it (distribution's filesystem storage layout), as bmpack reads the
 * bundle: from the page cache.
 */
function stored(source: RunningRegistry): (b: FloorBlob) => ReturnType<typeof createReadStream> {
  return (b) => {
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
}

async function main(): Promise<void> {
  requireGnuTime();
  await mkdir(join(runDir, 'time'), { recursive: true });
  const source = await startRegistry('anonymous');
  const skopeo = requireTool('skopeo', 'skopeo');
  const curl = requireTool('curl', 'curl');
  // Each step's input read after the page cache is dropped, and the programs warmed.
  const settle = async (inputs: readonly string[]): Promise<void> => {
    await settleCache(inputs);
    warmPrograms(skopeo);
  };
  log(`seeding ${IMAGES} images (${gb} GB) into ${source.host}`);
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
  const sourceFiles = await filesUnder(join(source.dir, 'storage'));
  await settle([]);
  const disk = await diskFloor(release.bytes);
  log(`disk write floor ${disk.toFixed(1)} s`);
  const bundle = join(runDir, 'scale.tar.xz');
  // The serving floor and the cold create alternate, STEP_RUNS times each,
  // so that the machine's drift falls on both sides of their ratio.
  const servings: number[] = [];
  const creates: TimedResult[] = [];
  for (let i = 1; i <= STEP_RUNS; i++) {
    await settle(sourceFiles);
    servings.push(await servingFloor(source.origin, release.blobs));
    log(`serving floor ${servings.at(-1)?.toFixed(1)} s`);
    await rm(bundle, { force: true });
    await settle(sourceFiles);
    creates.push(
      await bmpack(`bundle create (cold ${i})`, createArgs(manifest, source.host, bundle)),
    );
    // Nothing later reads the cache: removed, it leaves the page cache to the bundle and the registries.
    await rm(join(runDir, 'cache'), { recursive: true, force: true });
  }
  const serving = medianBy(servings, (v) => v);
  const create = medianRun(creates);
  await settle([bundle]);
  const verify = await bmpack('bundle verify', ['bundle', 'verify', bundle, '--progress', 'none']);
  const inspect = await bmpack('bundle inspect', ['bundle', 'inspect', bundle]);
  // The ingest floor and the push into an empty registry alternate too.
  const ingests: number[] = [];
  const pushes: TimedResult[] = [];
  let target: RunningRegistry | undefined;
  for (let i = 1; i <= STEP_RUNS; i++) {
    const floorTarget = await startRegistry('anonymous');
    await settle(sourceFiles);
    ingests.push(await ingestFloor(floorTarget.origin, 'floor', release.blobs, stored(source)));
    log(`ingest floor ${ingests.at(-1)?.toFixed(1)} s`);
    await floorTarget.stop();
    await target?.stop();
    target = await startRegistry('anonymous');
    await settle([bundle]);
    pushes.push(await bmpack(`push images (${i})`, pushArgs(bundle, target.host, 'json')));
  }
  if (target === undefined) throw new Error('no push ran');
  const ingest = medianBy(ingests, (v) => v);
  const push = medianRun(pushes);
  const firstBytes = pushes.map((r) => firstUploadByte(r));
  const firstByte = medianBy(firstBytes, (v) => v ?? Infinity);
  // A re-run takes a fifth of a second: one run is as much the machine's
  // noise (±10 %) as bmpack, so the median of five counts.
  const repushes: TimedResult[] = [];
  for (let i = 1; i <= REPUSH_RUNS; i++)
    repushes.push(await bmpack(`push images (re-run ${i})`, pushArgs(bundle, target.host, 'none')));
  const repush = medianRun(repushes);
  const floors = await repushFloors(
    curl,
    target.origin,
    repushPaths(release.refs, source.host, 'mirror/'),
  );
  const peerRepushes: TimedResult[] = [];
  for (let i = 0; i < STEP_RUNS; i++)
    peerRepushes.push(await skopeoRepush(skopeo, release.refs, source.host, target.host));
  const peerRepush = medianRun(peerRepushes);
  await target.stop();
  await settle([bundle]);
  const served = await serveAll(bundle, release.blobs);
  await settle([bundle]);
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
  const mb = (r: { maxRssKiB: number }) => (r.maxRssKiB / 1024).toFixed(0);
  // Serve is not run under GNU time: its CPU is not measured.
  const cpu = (r: object) =>
    'cpuSeconds' in r && 'machineCpuSeconds' in r
      ? `${Number(r.cpuSeconds).toFixed(1)} | ${Number(r.machineCpuSeconds).toFixed(1)}`
      : '– | –';
  const lines = [
    `## Scale: ${gb} GB, ${IMAGES} images (issue 17)`,
    '',
    `\`npm run bench -- --scale ${gb}g\`, ${new Date().toISOString().slice(0, 10)}; before each step (floors included): sync, ${cacheDropped === true ? 'the page cache dropped' : 'the page cache NOT dropped (not root)'}, and the step's input read once and bmpack and skopeo run once (\`--version\`) so that no step loads its program from disk (page-cache.ts): ${IMAGES} images, ${release.blobs.length} distinct configs and layers (${BASES} shared bases of ${(baseSize / 1e6).toFixed(1)} MB, ${OWN} own layers of ${(ownSize / 1e6).toFixed(2)} MB each), ${GB.toFixed(2)} GB, incompressible; distribution 2.8 on 127.0.0.1; the built bmpack on Node ${process.version} under GNU time (CPU s (machine): all of the machine's 2 cores while the step ran, the registries included).`,
    '',
    '| step | wall | s/GB | peak RSS | CPU s (bmpack) | CPU s (machine) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...(
      [
        [`bundle create (cold cache, median of ${STEP_RUNS})`, create],
        ['bundle verify', verify],
        ['bundle inspect', inspect],
        [`push images (empty registry, median of ${STEP_RUNS})`, push],
        [`push images (re-run, median of ${REPUSH_RUNS})`, repush],
        ['bundle merge (one input: a full rewrite)', merge],
        ['serve: every blob once, 8 connections', served],
      ] as const
    ).map(
      ([name, r]) =>
        `| ${name} | ${r.wallSeconds.toFixed(1)} s | ${rate(r)} | ${mb(r)} MB | ${cpu(r)} |`,
    ),
    `| peer re-push: skopeo copy × ${IMAGES} into the pushed registry (median of ${STEP_RUNS}) | ${peerRepush.wallSeconds.toFixed(1)} s | ${rate(peerRepush)} | ${mb(peerRepush)} MB | ${cpu(peerRepush)} |`,
    '',
    `- medians of ${STEP_RUNS} runs each, alternating: cold create ${medianOf(
      creates.map((r) => r.wallSeconds),
      2,
    )}, source serving floor ${medianOf(servings, 2)}; push ${medianOf(
      pushes.map((r) => r.wallSeconds),
      2,
    )}, target ingest floor ${medianOf(ingests, 2)}; peer's re-push ${medianOf(
      peerRepushes.map((r) => r.wallSeconds),
      2,
    )}`,
    `- source serving floor (every blob once, 8 keep-alive connections): ${serving.toFixed(1)} s; create / floor = **${(create.wallSeconds / serving).toFixed(2)}** (target ≤ 2.5: ${create.wallSeconds / serving <= 2.5 ? 'PASS' : 'FAIL'})`,
    `- disk write floor (the release's ${GB.toFixed(2)} GB written once beside the bundle and synced: \`dd bs=1M conv=fdatasync\`): ${disk.toFixed(1)} s = ${(disk / serving).toFixed(2)} × the serving floor; create / disk floor = **${(create.wallSeconds / disk).toFixed(2)}**`,
    `- target ingest floor (every blob once, monolithic POST + PUT, 8 connections, one repository): ${ingest.toFixed(1)} s; push / floor = **${(push.wallSeconds / ingest).toFixed(2)}** (target ≤ 1.15: ${push.wallSeconds / ingest <= 1.15 ? 'PASS' : 'FAIL'})`,
    `- push, before its first byte (each phase's start, s after spawn): ${phasesBefore(push, firstUploadByte(push))}`,
    `- push: first uploaded byte ${firstByte !== undefined ? `${firstByte.toFixed(2)} s after start (median; ${firstBytes.map((v) => v?.toFixed(2) ?? 'none').join(', ')})` : 'not seen'} (target < 0.5 s: ${firstByte !== undefined && firstByte < 0.5 ? 'PASS' : 'FAIL'})`,
    `- re-push (${repushes.map((r) => r.wallSeconds.toFixed(2)).join(', ')} s; median ${repush.wallSeconds.toFixed(2)} s) / peer's re-push (${peerRepush.wallSeconds.toFixed(2)} s) = **${(repush.wallSeconds / peerRepush.wallSeconds).toFixed(3)}** (target ≤ 0.1: ${repush.wallSeconds / peerRepush.wallSeconds <= 0.1 ? 'PASS' : 'FAIL'})`,
    `- re-push floors, the same ${release.refs.length + 1} requests (the ping and each tag's manifest HEAD) over ${repushConnections} keep-alive connections from a fresh process, medians of ${REPUSH_RUNS}: curl ${floors.curl.toFixed(2)} s (the registry's own time), node running undici alone ${floors.node.toFixed(2)} s (any Node program's); re-push / node floor = ${(repush.wallSeconds / floors.node).toFixed(2)}; node floor / peer's re-push = **${(floors.node / peerRepush.wallSeconds).toFixed(3)}**`,
    `- serve: listening ${served.startup.toFixed(2)} s after spawn; every blob through it ${served.wallSeconds.toFixed(1)} s = ${(served.wallSeconds / serving).toFixed(2)} × distribution's serving floor`,
    `- peak RSS at most 300 MB in every step: ${[...creates, verify, inspect, ...pushes, ...repushes, merge, served].every((r) => r.maxRssKiB / 1024 <= 300) ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await writeSection(`scale-${gb}g`, lines.join('\n'));
  const runs = await recordScaleRun(`${gb}g`, {
    date: new Date().toISOString().slice(0, 10),
    gigabytes: GB,
    images: IMAGES,
    walls: {
      'bundle create': create.wallSeconds,
      'bundle verify': verify.wallSeconds,
      'bundle inspect': inspect.wallSeconds,
      'push images': push.wallSeconds,
      'push images (re-run)': repush.wallSeconds,
      'bundle merge': merge.wallSeconds,
      'serve: every blob once': served.wallSeconds,
      [servingFloorStep]: serving,
      [ingestFloorStep]: ingest,
      'floor: disk write (dd)': disk,
    },
  });
  const agreement = agreementSection(runs);
  if (agreement !== undefined) await writeSection('scale-agreement', agreement);
}

/** Seconds to write `bytes` once to a file in the run folder and sync it (dd), the file removed after. */
async function diskFloor(bytes: number): Promise<number> {
  const file = join(runDir, 'disk-floor');
  const count = String(Math.ceil(bytes / 2 ** 20));
  const args = ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${count}`, 'conv=fdatasync'];
  const r = await timed('disk floor', 'dd', args, { timeDir: join(runDir, 'time') });
  await rm(file, { force: true });
  return r.wallSeconds;
}

/** The re-push floors (repush-floors.ts), each the median of REPUSH_RUNS runs, in seconds. */
async function repushFloors(
  curl: string,
  origin: string,
  paths: readonly string[],
): Promise<{ curl: number; node: number }> {
  const timeDir = join(runDir, 'time');
  const curls: TimedResult[] = [];
  const nodes: TimedResult[] = [];
  for (let i = 0; i < REPUSH_RUNS; i++) {
    curls.push(await curlRepushFloor(curl, origin, paths, timeDir));
    nodes.push(await nodeRepushFloor(origin, paths, runDir, timeDir));
  }
  const wall = (runs: readonly TimedResult[]) => medianBy(runs, (r) => r.wallSeconds).wallSeconds;
  log(`re-push floors: curl ${wall(curls).toFixed(2)} s, node ${wall(nodes).toFixed(2)} s`);
  return { curl: wall(curls), node: wall(nodes) };
}

/** The peer's re-push: skopeo copies every image again into the registry bmpack pushed to (one run, the copies in sequence). */
async function skopeoRepush(
  skopeo: string,
  refs: readonly string[],
  from: string,
  to: string,
): Promise<TimedResult> {
  const policy = join(runDir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const flags = '--src-tls-verify=false --dest-tls-verify=false';
  const copies = refs.map(
    (ref) =>
      `${skopeo} --policy ${policy} copy --all --preserve-digests ${flags} docker://${ref} docker://${to}/mirror/${ref.slice(from.length + 1)} >/dev/null`,
  );
  const script = join(runDir, 'peer-repush.sh');
  await writeFile(script, ['set -e', ...copies, ''].join('\n'));
  const r = await timed('peer re-push (skopeo)', 'bash', [script], {
    timeDir: join(runDir, 'time'),
    timeoutMs: 3600_000,
  });
  log(`peer re-push: ${r.wallSeconds.toFixed(1)} s`);
  return r;
}

/** bmpack serve on the bundle: every blob fetched once through it; its wall, peak RSS and start-up. */
async function serveAll(
  bundle: string,
  blobs: readonly FloorBlob[],
): Promise<{ wallSeconds: number; maxRssKiB: number; startup: number }> {
  const serve = await startServe(bundle);
  try {
    // A base was pushed to scale/base, which no image names: fetch it through the image using it.
    const served = blobs.map((b) =>
      b.repo === 'scale/base' ? { ...b, repo: baseUser(blobs, b.digest) } : b,
    );
    const wallSeconds = await servingFloor(`http://${serve.address}`, served, 'ns/');
    const maxRssKiB = (await peakRss(serve.cli.child.pid)) * 1024;
    log(`serve: every blob in ${wallSeconds.toFixed(1)} s`);
    return { wallSeconds, maxRssKiB, startup: serve.startup };
  } finally {
    await stopServe(serve);
  }
}

/** The repository of an image whose base is the blob `digest` (image i has base i mod BASES). */
function baseUser(blobs: readonly FloorBlob[], digest: string): string {
  const i = blobs.filter((b) => b.repo === 'scale/base').findIndex((b) => b.digest === digest);
  return `scale/app-${String(i).padStart(3, '0')}`;
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
