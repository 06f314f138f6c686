/**
 * The push benchmark (issue #4), run by worker.ts after the bundle create
 * one: `bmpack push images` of the bmpack bundle into a fresh registry and
 * its re-run, against what bmctl/skopeo users do — `tar -xJf` the bundle,
 * then `skopeo copy --all --preserve-digests oci:DIR:REF docker://…` per
 * image, and the same copies again. Each round gets two fresh registries (one
 * per side); disk used meanwhile is sampled; afterwards every image's
 * manifest is fetched from both targets and its digest checked.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { firstSamples, summariseCpuProfile, type ProfileWindow } from './cpu-profile.js';
import { inTurn, type InTurn } from './build.js';
import { diskBytes, sampleDisk, type DiskUse } from './disk.js';
import { workRoot, type BenchOptions } from './options.js';
import type { DigestCheck, PushImage, PushJson, PushResults, PushRound } from './push-report.js';
import { timed, type TimedResult } from './timed.js';

/** What the push benchmark needs from the worker. */
export interface PushContext {
  readonly o: BenchOptions;
  /** bmpack's bin/run.js. */
  readonly bin: string;
  /** The baseline build's bin/run.js (--baseline): pushed too, in turn, into a registry of its own. */
  readonly baselineBin?: string;
  readonly skopeo: string;
  readonly tar: string;
  /** The bmpack bundle of the cold bundle create run. */
  readonly bundle: string;
  /** The peer's OCI layout from the bundle create comparison (skopeo's OCI copies). */
  readonly peerLayout: string;
  /** Registries already running (their storage is not counted as disk used). */
  readonly registries: readonly RunningRegistry[];
  /** The environment of every measured tool. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (message: string) => void;
  /** `sync`, before each measured step. */
  readonly settle: () => Promise<void>;
}

/** The namespace both sides push under: `HOST:PORT/mirror/PATH:TAG`. */
export const namespace = 'mirror';

const dockerTypes = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface LayoutEntry {
  readonly name: string;
  readonly digest: string;
  readonly mediaType: string;
}

/** The ref.name-annotated entries of an OCI layout's index.json. */
async function layoutEntries(dir: string): Promise<LayoutEntry[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests?: Array<{
      mediaType?: string;
      digest?: string;
      annotations?: Record<string, string>;
    }>;
  };
  const out: LayoutEntry[] = [];
  for (const m of index.manifests ?? []) {
    const name = m.annotations?.['org.opencontainers.image.ref.name'];
    if (name === undefined || m.digest === undefined) continue;
    out.push({ name, digest: m.digest, mediaType: m.mediaType ?? '' });
  }
  return out;
}

/** `HOST:PORT/PATH:TAG` → `PATH:TAG` (what a mirror keeps). */
function withoutRegistry(ref: string): string {
  const slash = ref.indexOf('/');
  return slash < 0 ? ref : ref.slice(slash + 1);
}

function splitTag(pathAndTag: string): { repo: string; tag: string } {
  const colon = pathAndTag.lastIndexOf(':');
  if (colon < 0 || pathAndTag.includes('/', colon)) return { repo: pathAndTag, tag: 'latest' };
  return { repo: pathAndTag.slice(0, colon), tag: pathAndTag.slice(colon + 1) };
}

/**
 * The images as the bundle lists them, and what the peer pushes for each:
 * from the extracted bundle when skopeo can read it there, from its own OCI
 * layout for the Docker-media-type ones (skopeo 1.9's oci: transport skips
 * index.json entries that are not OCI media types: "no descriptor found").
 */
async function planImages(bundleIndexDir: string, peerLayout: string): Promise<PushImage[]> {
  const peer = new Map((await layoutEntries(peerLayout)).map((e) => [e.name, e]));
  return (await layoutEntries(bundleIndexDir)).map((e) => {
    const path = withoutRegistry(e.name);
    const docker = dockerTypes.has(e.mediaType);
    const fromPeer = docker ? peer.get(path) : undefined;
    if (docker && fromPeer === undefined) {
      throw new Error(`push bench: ${path} is not in the peer's OCI layout ${peerLayout}`);
    }
    return {
      ref: e.name,
      path,
      mediaType: e.mediaType,
      bundleDigest: e.digest,
      peerSource: fromPeer !== undefined ? 'peer layout' : 'extracted bundle',
      peerRef: fromPeer !== undefined ? fromPeer.name : e.name,
      peerDigest: fromPeer !== undefined ? fromPeer.digest : e.digest,
    };
  });
}

function parsePushJson(stdout: string): PushJson | undefined {
  try {
    const v = JSON.parse(stdout) as Partial<Record<keyof PushJson, unknown>>;
    const n = (x: unknown): number => (typeof x === 'number' ? x : NaN);
    return {
      images: n(v.images),
      manifestsPushed: n(v.manifestsPushed),
      blobsUploaded: n(v.blobsUploaded),
      blobsSkipped: n(v.blobsSkipped),
      blobsMounted: n(v.blobsMounted),
      bytesUploaded: n(v.bytesUploaded),
      seconds: n(v.seconds),
    };
  } catch {
    return undefined;
  }
}

/** GET the manifest; the sha256 of its bytes and the registry's Docker-Content-Digest. */
async function manifestDigest(
  registry: RunningRegistry,
  path: string,
): Promise<{ body: string; header: string }> {
  const { repo, tag } = splitTag(path);
  const url = `${registry.origin}/v2/${namespace}/${repo}/manifests/${tag}`;
  try {
    const res = await fetch(url, { headers: { Accept: manifestAccept } });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) return { body: `HTTP ${res.status}`, header: '' };
    return {
      body: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      header: res.headers.get('docker-content-digest') ?? '',
    };
  } catch (err) {
    return { body: err instanceof Error ? err.message : String(err), header: '' };
  }
}

async function checkDigests(
  images: readonly PushImage[],
  bmpackTarget: RunningRegistry,
  peerTarget: RunningRegistry,
): Promise<DigestCheck[]> {
  const out: DigestCheck[] = [];
  for (const image of images) {
    const b = await manifestDigest(bmpackTarget, image.path);
    const p = await manifestDigest(peerTarget, image.path);
    out.push({
      path: image.path,
      bmpackDigest: b.body,
      bmpackHeader: b.header,
      bmpackOk: b.body === image.bundleDigest && b.header === image.bundleDigest,
      peerDigest: p.body,
      peerOk: p.body === image.peerDigest && p.header === image.peerDigest,
    });
  }
  return out;
}

/**
 * Bytes received on the loopback interface since boot (/proc/net/dev; on `lo`
 * every byte sent is received once): what moved between the tools and the
 * registries, HTTP and TCP/IP headers included. NaN where unreadable.
 */
function loopbackBytes(): number {
  try {
    const line = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .find((l) => l.trim().startsWith('lo:'));
    return Number(line?.trim().slice(3).trim().split(/\s+/)[0] ?? NaN);
  } catch {
    return NaN;
  }
}

/** The process id of a rig registry (`docker-registry serve DIR/config.yml`), from /proc. */
function registryPid(registry: RunningRegistry): number | undefined {
  const config = join(registry.dir, 'config.yml');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv.includes(config)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** User + system CPU seconds of a process so far (/proc/PID/stat; USER_HZ 100). NaN if unknown. */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** What a step cost the target registry, and what crossed the loopback interface meanwhile. */
interface TargetCost {
  readonly loopback: number;
  readonly registryCpu: number;
}

/** Runs `fn`, counting the loopback bytes and the target registry's CPU seconds meanwhile. */
async function observing<T>(
  target: RunningRegistry,
  fn: () => Promise<T>,
): Promise<{ result: T } & TargetCost> {
  const pid = registryPid(target);
  const loopBefore = loopbackBytes();
  const cpuBefore = processCpuSeconds(pid);
  const result = await fn();
  return {
    result,
    loopback: loopbackBytes() - loopBefore,
    registryCpu: processCpuSeconds(pid) - cpuBefore,
  };
}

/**
 * Runs `fn` while sampling the disk used under the run directory (registries,
 * bmpack's build and GNU time's output files left out).
 */
async function withDisk<T>(
  c: PushContext,
  extraExcludes: readonly string[],
  fn: () => Promise<T>,
): Promise<{ result: T; disk: DiskUse }> {
  const exclude = new Set([
    join(c.o.runDir, 'app'),
    join(c.o.runDir, 'baseline'),
    join(c.o.runDir, 'time'),
    ...c.registries.map((r) => r.dir),
    ...extraExcludes,
  ]);
  const sampler = await sampleDisk(c.o.runDir, exclude);
  try {
    const result = await fn();
    return { result, disk: await sampler.stop() };
  } catch (err) {
    await sampler.stop().catch(() => undefined);
    throw err;
  }
}

function bmpackArgs(c: PushContext, target: RunningRegistry, json: boolean): string[] {
  // prettier-ignore
  return [
    c.bin, 'push', 'images', '--source', c.bundle,
    '--private-registry', `${target.host}/${namespace}`, '--plain-http', '--need-credential=false',
    ...(json ? ['--json'] : []),
  ];
}

function bmpackEnv(c: PushContext): NodeJS.ProcessEnv {
  // Anything bmpack might cache lands in the run directory, where it is counted.
  return { ...c.env, XDG_CACHE_HOME: join(c.o.runDir, 'tmp', 'xdg-cache') };
}

async function runBmpackPush(
  c: PushContext,
  label: string,
  target: RunningRegistry,
  registries: readonly RunningRegistry[],
): Promise<{ run: TimedResult; json: PushJson | undefined; disk: DiskUse; cost: TargetCost }> {
  await c.settle();
  c.log(label);
  const {
    result: { result: run, ...cost },
    disk,
  } = await withDisk(
    c,
    registries.map((r) => r.dir),
    () =>
      observing(target, () =>
        timed(label, process.execPath, bmpackArgs(c, target, true), {
          timeDir: join(c.o.runDir, 'time'),
          env: bmpackEnv(c),
        }),
      ),
  );
  const json = parsePushJson(run.stdout);
  c.log(
    `  ${run.wallSeconds.toFixed(2)} s, peak RSS ${((run.maxRssKiB * 1024) / 1e6).toFixed(1)} MB` +
      (json !== undefined
        ? `, ${json.blobsUploaded} blobs uploaded, ${json.blobsMounted} mounted, ${json.blobsSkipped} skipped`
        : ''),
  );
  return { run, json, disk, cost };
}

type PushRun = Awaited<ReturnType<typeof runBmpackPush>>;

/** A push into the empty `target`, then the same again (re-run: everything is there). */
async function pushAndRerun(
  c: PushContext,
  who: string,
  round: number,
  target: RunningRegistry,
  registries: readonly RunningRegistry[],
): Promise<{ cold: PushRun; rerun: PushRun }> {
  const cold = await runBmpackPush(c, `${who} push images (round ${round})`, target, registries);
  const rerun = await runBmpackPush(
    c,
    `${who} push images re-run (round ${round})`,
    target,
    registries,
  );
  return { cold, rerun };
}

/**
 * The current build's push and re-run and, in turn with them (into a fresh
 * registry of its own), the baseline's.
 */
function bmpackPushes(
  c: PushContext,
  round: number,
  target: RunningRegistry,
  baselineTarget: RunningRegistry | undefined,
  registries: readonly RunningRegistry[],
): Promise<InTurn<{ cold: PushRun; rerun: PushRun }>> {
  const bin = c.baselineBin;
  return inTurn(
    round,
    () => pushAndRerun(c, 'bmpack', round, target, registries),
    bin !== undefined && baselineTarget !== undefined
      ? () => pushAndRerun({ ...c, bin }, 'baseline', round, baselineTarget, registries)
      : undefined,
  );
}

async function skopeoCopies(
  c: PushContext,
  label: string,
  images: readonly PushImage[],
  extracted: string,
  policy: string,
  target: RunningRegistry,
): Promise<{ runs: TimedResult[]; cost: TargetCost }> {
  const { result: runs, ...cost } = await observing(target, async () => {
    const out: TimedResult[] = [];
    for (const image of images) {
      const dir = image.peerSource === 'peer layout' ? c.peerLayout : extracted;
      // prettier-ignore
      out.push(await timed(`${label} ${image.path}`, c.skopeo, [
        '--policy', policy, 'copy', '--all', '--preserve-digests',
        `oci:${dir}:${image.peerRef}`, `docker://${target.host}/${namespace}/${image.path}`,
        '--dest-tls-verify=false',
      ], { timeDir: join(c.o.runDir, 'time'), env: c.env }));
    }
    return out;
  });
  c.log(
    `  ${runs.reduce((s, r) => s + r.wallSeconds, 0).toFixed(2)} s, ${(cost.loopback / 1e6).toFixed(1)} MB over loopback`,
  );
  return { runs, cost };
}

async function runRound(
  c: PushContext,
  round: number,
  policy: string,
): Promise<{ round: PushRound; images: PushImage[] }> {
  const dir = join(c.o.runDir, 'push', `round-${round}`);
  const extracted = join(dir, 'extracted');
  await mkdir(extracted, { recursive: true });
  const bmpackTarget = await startRegistry('anonymous');
  const peerTarget = await startRegistry('anonymous');
  const baselineTarget = c.baselineBin !== undefined ? await startRegistry('anonymous') : undefined;
  const targets = [
    bmpackTarget,
    peerTarget,
    ...(baselineTarget !== undefined ? [baselineTarget] : []),
  ];
  c.log(
    `push round ${round}: targets ${bmpackTarget.host} (bmpack), ${peerTarget.host} (peer)` +
      (baselineTarget !== undefined ? `, ${baselineTarget.host} (baseline)` : ''),
  );
  try {
    const pushes = await bmpackPushes(c, round, bmpackTarget, baselineTarget, targets);
    const { cold, rerun } = pushes.current;

    // The peer: extract, then copy image by image; disk followed over both.
    const peerSide = await withDisk(
      c,
      targets.map((r) => r.dir),
      async () => {
        await c.settle();
        c.log(`tar -xJf bundle (round ${round})`);
        const extract = await timed('tar -xJf', c.tar, ['-xJf', c.bundle, '-C', extracted], {
          timeDir: join(c.o.runDir, 'time'),
          env: c.env,
        });
        c.log(`  ${extract.wallSeconds.toFixed(2)} s`);
        const images = await planImages(extracted, c.peerLayout);
        await c.settle();
        c.log(`skopeo copy --all --preserve-digests × ${images.length} (round ${round})`);
        const copies = await skopeoCopies(c, 'skopeo copy', images, extracted, policy, peerTarget);
        return { extract, images, copies };
      },
    );
    const { extract, images, copies } = peerSide.result;
    const extractedBytes = await diskBytes(extracted, new Set());
    const peerRerun = await withDisk(
      c,
      targets.map((r) => r.dir),
      async () => {
        await c.settle();
        c.log(`skopeo copy re-run × ${images.length} (round ${round})`);
        return skopeoCopies(c, 'skopeo copy re-run', images, extracted, policy, peerTarget);
      },
    );
    const digests = await checkDigests(images, bmpackTarget, peerTarget);
    const bad = digests.filter((d) => !d.bmpackOk).length;
    c.log(
      bad === 0
        ? `  digests at the bmpack target: all ${digests.length} equal the bundle's`
        : `  digests at the bmpack target: ${bad} of ${digests.length} DIFFER from the bundle's`,
    );
    return {
      images,
      round: {
        round,
        bmpack: cold.run,
        ...(cold.json !== undefined ? { bmpackJson: cold.json } : {}),
        bmpackDisk: cold.disk,
        bmpackCost: cold.cost,
        bmpackRerun: rerun.run,
        ...(rerun.json !== undefined ? { bmpackRerunJson: rerun.json } : {}),
        bmpackRerunDisk: rerun.disk,
        bmpackRerunCost: rerun.cost,
        extract,
        extractedBytes,
        copies: copies.runs,
        copiesCost: copies.cost,
        peerDisk: peerSide.disk,
        rerunCopies: peerRerun.result.runs,
        rerunCopiesCost: peerRerun.result.cost,
        peerRerunDisk: peerRerun.disk,
        digests,
        ...(pushes.baseline !== undefined
          ? { baselinePush: pushes.baseline.cold.run, baselineRerun: pushes.baseline.rerun.run }
          : {}),
      },
    };
  } finally {
    for (const r of targets) await r.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Functions whose first profile sample marks the end of start-up: the first
 * synchronous code of the push command (an async function is on the stack
 * only while its own code runs, so later phases are told by bmpack's
 * "resolving N images" line, printed once the plan is made).
 */
const startMarks = ['runPushImages', 'pushImages', 'openBundleSource'];

async function profiledPush(
  c: PushContext,
  label: string,
  target: RunningRegistry,
  profileDir: string,
): Promise<string> {
  const before = new Set(await readdir(profileDir));
  await c.settle();
  c.log(label);
  // No --json: the progress lines ("resolving N images" once the plan is made) are kept.
  const { result: run, ...cost } = await observing(target, () =>
    timed(
      label,
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', profileDir, ...bmpackArgs(c, target, false)],
      { timeDir: join(c.o.runDir, 'time'), env: bmpackEnv(c) },
    ),
  );
  c.log(`  ${run.wallSeconds.toFixed(2)} s`);
  const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (file === undefined) return `${label}: no profile written`;
  const path = join(profileDir, file);
  const marks = await firstSamples(path, startMarks);
  // Process start → profile start: the profile ends at exit, as the wall time does.
  const offset = run.wallSeconds - marks.profileSeconds;
  const started = Math.min(...[...marks.at.values()].map((t) => t + offset));
  const planned = run.lines.find((l) => l.text.startsWith('resolving '))?.at;
  const cuts: Array<readonly [string, number]> = [['start-up (node, oclif, flags)', 0]];
  if (Number.isFinite(started)) {
    cuts.push(['plan: credentials, open the bundle, read closures, HEAD at the target', started]);
  }
  if (planned !== undefined && planned > (cuts[cuts.length - 1]?.[1] ?? 0)) {
    cuts.push(['push: upload, mount, put manifests and tags; exit', planned]);
  }
  const windows: ProfileWindow[] = cuts.map(([name, from], i) => ({
    name: `phase ${name}`,
    from,
    to: cuts[i + 1]?.[1] ?? run.wallSeconds,
  }));
  const summary = await summariseCpuProfile(path, windows, { wallSeconds: run.wallSeconds });
  return [
    `${label}: ${run.wallSeconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(2)} s CPU, registry ${cost.registryCpu.toFixed(2)} s CPU, other ${Math.max(0, run.machineCpuSeconds - run.cpuSeconds - cost.registryCpu).toFixed(2)} s CPU, peak RSS ${((run.maxRssKiB * 1024) / 1e6).toFixed(1)} MB`,
    `phases (start-up ends at the first profile sample in ${startMarks.join('/')}, the plan at the "resolving" line):`,
    ...windows.map(
      (w) => `  ${(w.to - w.from).toFixed(2).padStart(6)} s  ${w.name.replace(/^phase /, '')}`,
    ),
    summary,
  ].join('\n');
}

/** One more push and its re-run into a third registry, under --cpu-prof (not timed). */
async function profilePush(c: PushContext): Promise<string> {
  const profileDir = join(workRoot, 'profiles');
  await mkdir(profileDir, { recursive: true });
  const target = await startRegistry('anonymous');
  try {
    const cold = await profiledPush(c, 'bmpack push images under --cpu-prof', target, profileDir);
    const rerun = await profiledPush(
      c,
      'bmpack push images re-run under --cpu-prof',
      target,
      profileDir,
    );
    return `${cold}\n\n${rerun}`;
  } finally {
    await target.stop();
  }
}

/** The whole push benchmark: `o.pushRepeat` rounds, then the profile if asked for. */
export async function runPushBench(c: PushContext): Promise<PushResults> {
  const loadAverage = loadavg()[0] ?? 0;
  const policy = join(c.o.runDir, 'push-policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const rounds: PushRound[] = [];
  let images: PushImage[] = [];
  for (let i = 1; i <= c.o.pushRepeat; i++) {
    const r = await runRound(c, i, policy);
    rounds.push(r.round);
    images = r.images;
  }
  const profileSummary = c.o.cpuProf ? await profilePush(c) : undefined;
  return {
    bundleBytes: (await stat(c.bundle)).size,
    images,
    rounds,
    loadAverage,
    ...(profileSummary !== undefined ? { profileSummary } : {}),
  };
}
