/**
 * `bmpack serve` against the registry's own floor (issue 16, item 7): the
 * bench release (bench/workload.ts, BENCH_SCALE × ~485 MB) is pushed into
 * distribution 2.8 and bundled; then eight concurrent keep-alive clients
 * fetch every blob of the release once — from distribution's own storage,
 * and from `bmpack serve` reading the bundle in place — in alternating
 * rounds of the same run. Also: serve's start-up (spawn to listening) and
 * peak RSS (VmHWM), at full and at a quarter scale (flat in bundle size?).
 * Writes the "serve" section of RESULTS.md.
 *
 *     npx mocha --no-config --import=tsx --require test/rig/hooks.ts --timeout 3600000 bench/serve-throughput.bench.ts
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBundleSource } from '../src/bundle-reader/index.js';
import { createBundle } from '../src/bundle-writer/create-bundle.js';
import { walkFrom } from '../src/graph/index.js';
import { BundleImageSource, anyRepository } from '../src/store/index.js';
import { requireBuiltCli } from '../test/rig/cli.js';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { makeTempDir, type TrackedDir } from '../test/rig/temp-dir.js';
import { floorConnections, servingFloor, type FloorBlob } from './floors.js';
import { writeSection } from './results-section.js';
import { peakRss, startServe, stopServe } from './serve-process.js';
import { seedWorkload, writeWorkloadImageSet, type Workload } from './workload.js';

const CLIENTS = floorConnections;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '7');
const scale = Number(process.env['BENCH_SCALE'] ?? '1');

/** Every distinct config and layer of the bundle, with the repository (source path) of an image using it. */
async function blobsOf(bundle: string): Promise<FloorBlob[]> {
  const b = await openBundleSource(bundle);
  try {
    const source = new BundleImageSource(b);
    const seen = new Map<string, FloorBlob>();
    for (const image of b.images) {
      const graph = await walkFrom(source, anyRepository, image.descriptor, { name: image.name });
      const repo = image.name.replace(/^[^/]+\//, '').replace(/[:@].*$/, '');
      for (const blob of graph.blobs)
        if (!seen.has(blob.digest))
          seen.set(blob.digest, { repo, digest: blob.digest, size: blob.size });
    }
    return [...seen.values()];
  } finally {
    await b.close();
  }
}

/** MB/s of fetching every blob once over the floor's keep-alive connections, bodies discarded. */
async function fetchAll(
  origin: string,
  blobs: readonly FloorBlob[],
  prefix: string,
): Promise<number> {
  const seconds = await servingFloor(origin, blobs, prefix);
  return blobs.reduce((s, b) => s + b.size, 0) / 1e6 / seconds;
}

/** CPU seconds (user + system) a process has used so far (/proc/PID/stat, fields 14 and 15). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of the process whose command line mentions `needle` (the registry, by its config folder). */
async function pidOf(needle: string): Promise<number | undefined> {
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle) && !cmd.includes('mocha')) return Number(name);
  }
  return undefined;
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('bench: bmpack serve against distribution serving the same blobs', function () {
  this.timeout(3_600_000);
  let registry: RunningRegistry;
  let dir: TrackedDir;

  before(async () => {
    requireBuiltCli();
    registry = await startRegistry('anonymous');
    dir = await makeTempDir('bmpack-bench-serve-');
  });
  after(async () => {
    await registry.stop();
    await dir.stop();
  });

  async function release(
    at: number,
    prefix: string,
  ): Promise<{ workload: Workload; bundle: string }> {
    const workload = await seedWorkload(registry, { scale: at, prefix });
    const manifest = join(dir.path, `${prefix}.yaml`);
    await writeWorkloadImageSet(manifest, workload, prefix);
    const created = await createBundle({
      manifests: [manifest],
      output: join(dir.path, `${prefix}.tar.xz`),
      cacheDir: join(dir.path, `cache-${prefix}`),
      insecureRegistries: [registry.host],
      env: {},
    });
    return { workload, bundle: created.output };
  }

  it('serves at least the throughput distribution gives for the same blobs; starts in under 1 s; peak RSS under 200 MB, flat in bundle size', async () => {
    const small = await release(scale / 4, 'quarter');
    const full = await release(scale, 'full');
    const blobs = await blobsOf(full.bundle);
    const serve = await startServe(full.bundle);
    const dist: number[] = [];
    const ours: number[] = [];
    const registryPid = await pidOf(registry.dir);
    // CPU seconds per GB served: [server, client] for each side, summed over the rounds.
    const cpu = { dist: [0, 0], ours: [0, 0] };
    const measured = async (
      side: 'dist' | 'ours',
      pid: number | undefined,
      run: () => Promise<number>,
    ): Promise<number> => {
      const [s0, c0] = [await cpuSeconds(pid), process.cpuUsage()];
      const mbps = await run();
      const c = process.cpuUsage(c0);
      cpu[side][0]! += (await cpuSeconds(pid)) - s0;
      cpu[side][1]! += (c.user + c.system) / 1e6;
      return mbps;
    };
    let rss = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        dist.push(await measured('dist', registryPid, () => fetchAll(registry.origin, blobs, '')));
        ours.push(
          await measured('ours', serve.cli.child.pid, () =>
            fetchAll(`http://${serve.address}`, blobs, 'ns/'),
          ),
        );
      }
    } finally {
      rss = await peakRss(serve.cli.child.pid);
      await stopServe(serve);
    }
    const quarter = await startServe(small.bundle);
    await fetchAll(`http://${quarter.address}`, await blobsOf(small.bundle), 'ns/');
    const smallRss = await peakRss(quarter.cli.child.pid);
    await stopServe(quarter);
    const ratio = median(ours) / median(dist);
    const mb = (full.workload.uniqueBytes / 1e6).toFixed(0);
    const gb = (ROUNDS * blobs.reduce((s, b) => s + b.size, 0)) / 1e9;
    const perGb = (xs: number[]): string => xs.map((x) => (x / gb).toFixed(2)).join(' s + ');
    const lines = [
      '## bmpack serve against distribution (issue 16)',
      '',
      `\`npx mocha --no-config --import=tsx --require test/rig/hooks.ts bench/serve-throughput.bench.ts\` (BENCH_SCALE=${scale}), ${new Date().toISOString().slice(0, 10)}: the bench release (${full.workload.images.length} images, ${blobs.length} distinct configs and layers, ${mb} MB) pushed into distribution 2.8 and bundled; ${CLIENTS} concurrent keep-alive clients (undici Pool) fetch every blob once and discard it, from distribution's own storage and from \`bmpack serve\` reading the .tar.xz in place, alternating, ${ROUNDS} rounds each (BENCH_ROUNDS); both files in the page cache. CPU is read from /proc for the server and from process.cpuUsage for the client.`,
      '',
      '| | throughput (median) | rounds |',
      '| --- | ---: | --- |',
      `| distribution 2.8 (its filesystem storage) | ${median(dist).toFixed(0)} MB/s | ${dist.map((x) => x.toFixed(0)).join(', ')} |`,
      `| bmpack serve (the bundle, in place) | ${median(ours).toFixed(0)} MB/s | ${ours.map((x) => x.toFixed(0)).join(', ')} |`,
      '',
      `- ratio serve / distribution: **${ratio.toFixed(2)}** (target ≥ 1.00: ${ratio >= 1 ? 'PASS' : 'FAIL'})`,
      `- CPU per GB served, server + client: distribution ${perGb(cpu.dist)} s; serve ${perGb(cpu.ours)} s`,
      '- before serve recycled its read buffers (src/fs/read-buffers.ts), it used 1.07–1.21 s of CPU per GB and reached 0.72–0.87× distribution: a fresh 1 MiB buffer per read costs page faults and garbage collection',
      `- start-up, spawn to listening, ${mb} MB bundle: ${serve.startup.toFixed(2)} s (target < 1 s: ${serve.startup < 1 ? 'PASS' : 'FAIL'}); quarter-size bundle: ${quarter.startup.toFixed(2)} s`,
      `- peak RSS (VmHWM) of serve: ${rss.toFixed(0)} MB at full size, ${smallRss.toFixed(0)} MB at a quarter (target < 200 MB, flat: ${rss < 200 ? 'PASS' : 'FAIL'})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await writeSection('serve', lines.join('\n'));
  });
});
