/**
 * The benchmark's verdicts and their two renderings: a table on the console
 * and bench/RESULTS.md.
 */
import {
  baselineComparisons,
  baselineHeadline,
  renderBaselineConsole,
  renderBaselineMarkdown,
  type BaselineComparison,
  type BaselineRuns,
} from './baseline-report.js';
import {
  mdTable,
  pushHeadline,
  renderPushConsole,
  renderPushMarkdown,
  type PushResults,
} from './push-report.js';
import type { TimedResult, TimeFigures } from './timed.js';
import type { Workload } from './workload.js';

/** Seconds from spawn to each progress line bmpack prints as a phase starts. */
export interface BmpackPhases {
  /** Node start-up, oclif, reading the image list. */
  readonly startup: number;
  /** Manifests and configs (up to the "fetch:" line). */
  readonly resolve: number;
  /** Blob downloads into the cache (up to the "write:" line). */
  readonly fetch: number;
  /** Writing the bundle (tar in xz, hash, fsync, rename, sidecar) and exit. */
  readonly write: number;
}

/** `bmpack bundle create --json` output (CreateBundleResult). */
export interface BmpackJson {
  readonly images: number;
  readonly blobs: number;
  readonly bytes: number;
  readonly dedupedBytes: number;
  readonly fetchedBlobs: number;
  readonly seconds: number;
  readonly sha256: string;
}

export interface BmpackRun {
  readonly label: string;
  readonly scale: number;
  readonly run: TimedResult;
  readonly outputBytes: number;
  readonly phases?: BmpackPhases;
  readonly json?: BmpackJson;
}

export interface PipelineRun {
  readonly label: string;
  /** The whole pipeline (bash running both), wall. */
  readonly wallSeconds: number;
  /** CPU seconds of the whole pipeline (tar and xz included). */
  readonly cpuSeconds: number;
  /** CPU seconds the whole machine was busy meanwhile. */
  readonly machineCpuSeconds: number;
  readonly tar: TimeFigures;
  readonly xz: TimeFigures;
  readonly outputBytes: number;
}

export interface PeerRuns {
  readonly skopeo: readonly TimedResult[];
  readonly layoutBytes: number;
  readonly xz0: PipelineRun;
  readonly xz6?: PipelineRun;
}

export interface Environment {
  readonly date: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly tools: ReadonlyArray<readonly [string, string]>;
  readonly bmpack: string;
  readonly command: string;
  /** 1-minute load average when the run began. */
  readonly loadAverage: number;
}

export interface BenchResults {
  readonly env: Environment;
  readonly workload: Workload;
  readonly smallWorkload: Workload;
  /** The median of {@link coldRuns}. */
  readonly cold: BmpackRun;
  readonly coldRuns: readonly BmpackRun[];
  readonly warm: BmpackRun;
  readonly small: BmpackRun;
  readonly xzTest: TimedResult;
  readonly warmIdentical: boolean;
  readonly peer: PeerRuns;
  readonly profileSummary?: string;
  /** The push benchmark (absent with --no-push). */
  readonly push?: PushResults;
  /** The baseline build's runs (--baseline). */
  readonly baseline?: BaselineRuns;
}

export interface Verdict {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly ratio: number;
  /** undefined: information only. */
  readonly pass: boolean | undefined;
}

const MB = 1e6;
const mb = (bytes: number): string => (bytes / MB).toFixed(2);
const rssMb = (kib: number): string => ((kib * 1024) / MB).toFixed(1);
const secs = (s: number): string => s.toFixed(2);

export function skopeoWall(peer: PeerRuns): number {
  return peer.skopeo.reduce((s, r) => s + r.wallSeconds, 0);
}

export function skopeoMaxRss(peer: PeerRuns): number {
  return Math.max(0, ...peer.skopeo.map((r) => r.maxRssKiB));
}

/** RSS limit of the target, bytes (300 MB, decimal). */
export const rssLimitBytes = 300 * MB;

export function verdicts(r: BenchResults): Verdict[] {
  const peerWall = skopeoWall(r.peer) + r.peer.xz0.wallSeconds;
  const wallLimit = 0.1 * peerWall;
  const bmpackRuns = [...r.coldRuns, r.warm, r.small];
  const maxRssBytes = Math.max(...bmpackRuns.map((b) => b.run.maxRssKiB * 1024));
  const sizeLimit = 1.001 * r.peer.xz0.outputBytes;
  const flat = r.cold.run.maxRssKiB / r.small.run.maxRssKiB;
  return [
    {
      name: 'wall: bmpack cold ≤ 0.10 × (skopeo copy + tar | xz -T0 -0)',
      measured: `${secs(r.cold.run.wallSeconds)} s`,
      limit: `${secs(wallLimit)} s (0.10 × ${secs(peerWall)} s)`,
      ratio: r.cold.run.wallSeconds / peerWall,
      pass: r.cold.run.wallSeconds <= wallLimit,
    },
    {
      name: 'peak RSS: every bmpack run ≤ 300 MB',
      measured: `${(maxRssBytes / MB).toFixed(1)} MB`,
      limit: '300 MB',
      ratio: maxRssBytes / rssLimitBytes,
      pass: maxRssBytes <= rssLimitBytes,
    },
    {
      name: 'size: bmpack bundle ≤ 1.001 × tar | xz -T0 -0 output',
      measured: `${r.cold.outputBytes} B`,
      limit: `${Math.floor(sizeLimit)} B (1.001 × ${r.peer.xz0.outputBytes} B)`,
      ratio: r.cold.outputBytes / r.peer.xz0.outputBytes,
      pass: r.cold.outputBytes <= sizeLimit,
    },
    {
      name: `RSS flat in bundle size: scale ${r.cold.scale} vs ${r.small.scale} (info)`,
      measured: `${rssMb(r.cold.run.maxRssKiB)} MB at ${mb(r.cold.outputBytes)} MB`,
      limit: `${rssMb(r.small.run.maxRssKiB)} MB at ${mb(r.small.outputBytes)} MB`,
      ratio: flat,
      pass: undefined,
    },
  ];
}

interface Row {
  readonly step: string;
  readonly wall: string;
  readonly cpu: string;
  /** Machine CPU seconds not used by the step itself (the registry's included). */
  readonly other: string;
  readonly rss: string;
  readonly out: string;
}

type Figures = TimeFigures & { readonly machineCpuSeconds?: number };

function rows(r: BenchResults): Row[] {
  const row = (step: string, t: Figures | undefined, out = '', wall?: number): Row => ({
    step,
    wall: secs(wall ?? t?.wallSeconds ?? NaN),
    cpu: t !== undefined ? secs(t.cpuSeconds) : '',
    other:
      t?.machineCpuSeconds !== undefined
        ? secs(Math.max(0, t.machineCpuSeconds - t.cpuSeconds))
        : '',
    rss: t !== undefined ? rssMb(t.maxRssKiB) : '',
    out,
  });
  const b = (x: BmpackRun, step = x.label): Row => row(step, x.run, mb(x.outputBytes));
  const n = r.coldRuns.length;
  const p = r.peer;
  const pipe = (x: PipelineRun): Row[] => [
    { ...row(x.label, { ...x, maxRssKiB: 0 }, mb(x.outputBytes)), rss: '' },
    row('  tar -cf -', x.tar),
    row(`  ${x.label.replace(/^.*\| /, '')}`, x.xz),
  ];
  const sw = skopeoWall(p);
  const skopeo: Figures = {
    wallSeconds: sw,
    cpuSeconds: p.skopeo.reduce((s, x) => s + x.cpuSeconds, 0),
    machineCpuSeconds: p.skopeo.reduce((s, x) => s + x.machineCpuSeconds, 0),
    maxRssKiB: skopeoMaxRss(p),
  };
  return [
    b(r.cold, n > 1 ? `${r.cold.label}, median of ${n}` : r.cold.label),
    ...(n > 1 ? r.coldRuns.map((x, i) => b(x, `  run ${i + 1}`)) : []),
    b(r.warm),
    b(r.small),
    row('xz -t on the bmpack bundle', r.xzTest),
    row(`skopeo copy --all × ${p.skopeo.length} → oci: (sum; max RSS)`, skopeo, mb(p.layoutBytes)),
    ...pipe(p.xz0),
    ...(p.xz6 !== undefined ? pipe(p.xz6) : []),
    row('peer total: skopeo + tar | xz -T0 -0', undefined, '', sw + p.xz0.wallSeconds),
    ...(p.xz6 !== undefined
      ? [row('peer total: skopeo + tar | xz -T0 -6', undefined, '', sw + p.xz6.wallSeconds)]
      : []),
  ];
}

function phaseLines(r: BenchResults): string[] {
  const ph = r.cold.phases;
  if (ph === undefined) return ['(bmpack printed no phase lines)'];
  const total = ph.startup + ph.resolve + ph.fetch + ph.write;
  const pct = (s: number): string => `${((100 * s) / total).toFixed(0)} %`;
  const head = [
    `start-up (node, oclif, image list)  ${secs(ph.startup)} s  ${pct(ph.startup)}`,
    `resolve (manifests, configs)        ${secs(ph.resolve)} s  ${pct(ph.resolve)}`,
  ];
  // Since bundle create fetches while it writes, "fetch:" and "write:" come together.
  if (ph.fetch < 0.05) {
    const both = ph.fetch + ph.write;
    return [
      ...head,
      `fetch + write, overlapped           ${secs(both)} s  ${pct(both)}  ${mb(r.cold.outputBytes / Math.max(both, 1e-9))} MB/s`,
    ];
  }
  return [
    ...head,
    `fetch (blobs → cache)               ${secs(ph.fetch)} s  ${pct(ph.fetch)}  ${mb(r.workload.uniqueBytes / Math.max(ph.fetch, 1e-9))} MB/s`,
    `write (cache → tar.xz, fsync)       ${secs(ph.write)} s  ${pct(ph.write)}  ${mb(r.cold.outputBytes / Math.max(ph.write, 1e-9))} MB/s`,
  ];
}

function verdictWord(v: Verdict): string {
  return v.pass === undefined ? 'info' : v.pass ? 'PASS' : 'FAIL';
}

/** Whether other work was running (load average above half the CPUs at the start). */
function busy(r: BenchResults): boolean {
  return r.env.loadAverage > r.env.nproc / 2;
}

function busyWarning(r: BenchResults): string {
  return `WARNING: load average ${r.env.loadAverage.toFixed(2)} on ${r.env.nproc} CPUs when the run began: something else was running, so times are noisy (see the other CPU s column).`;
}

/** The baseline and its comparisons with the current build, if there is a baseline. */
function withBaseline(r: BenchResults): [BaselineRuns, BaselineComparison[]] | undefined {
  if (r.baseline === undefined) return undefined;
  return [
    r.baseline,
    baselineComparisons(
      r.baseline,
      r.coldRuns.map((c) => c.run),
      r.push?.rounds,
    ),
  ];
}

/** The console rendering. */
export function renderConsole(r: BenchResults): string {
  const table = rows(r);
  const base = withBaseline(r);
  const w = Math.max(...table.map((x) => x.step.length));
  const head = `${'step'.padEnd(w)}  ${'wall s'.padStart(8)}  ${'CPU s'.padStart(7)}  ${'other CPU s'.padStart(11)}  ${'peak RSS MB'.padStart(11)}  ${'output MB'.padStart(10)}`;
  const lines = [
    '',
    `bmpack benchmark, scale ${r.workload.scale}: ${r.workload.images.length} images, ${mb(r.workload.uniqueBytes)} MB of unique blobs`,
    ...(busy(r) ? [busyWarning(r)] : []),
    '',
    head,
    '-'.repeat(head.length),
    ...table.map(
      (x) =>
        `${x.step.padEnd(w)}  ${x.wall.padStart(8)}  ${x.cpu.padStart(7)}  ${x.other.padStart(11)}  ${x.rss.padStart(11)}  ${x.out.padStart(10)}`,
    ),
    '',
    'targets:',
    ...verdicts(r).map(
      (v) =>
        `  ${verdictWord(v).padEnd(4)}  ${v.name}: ${v.measured} vs ${v.limit}  (ratio ${v.ratio.toFixed(3)})`,
    ),
    '',
    'bmpack cold run, by phase:',
    ...phaseLines(r).map((l) => `  ${l}`),
    `warm re-run output byte-identical to the cold one: ${r.warmIdentical ? 'yes' : 'NO'}`,
    ...(r.profileSummary !== undefined ? ['', r.profileSummary] : []),
    ...(r.push !== undefined ? renderPushConsole(r.push) : []),
    ...(base !== undefined ? renderBaselineConsole(...base) : []),
    '',
  ];
  return lines.join('\n');
}

/** bench/RESULTS.md. */
export function renderMarkdown(r: BenchResults): string {
  const e = r.env;
  const wl = r.workload;
  const host = (ref: string): string => ref.replace(/^[^/]+\//, '');
  const vs = verdicts(r);
  const failed = vs.filter((v) => v.pass === false).length;
  const base = withBaseline(r);
  return `# bmpack benchmark results

Written by \`${e.command}\` on ${e.date}; every run rewrites this file.

**${failed === 0 ? 'bundle create: all targets met.' : `bundle create: ${failed} of ${vs.filter((v) => v.pass !== undefined).length} targets missed.`}**${r.push !== undefined ? ` **${pushHeadline(r.push)}**` : ''}${base !== undefined ? ` **${baselineHeadline(...base)}**` : ''}
${busy(r) ? `\n**${busyWarning(r)}**\n` : ''}
## Machine

${mdTable(
  ['', ''],
  [
    ['CPUs (nproc)', `${e.nproc} × ${e.cpuModel}`],
    ['memory', `${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
    ['OS', e.os],
    ['node', e.node],
    ...e.tools.map(([k, v]) => [k, v] as const),
    ['bmpack', e.bmpack],
  ],
  'll',
)}

## Workload

\`bench/workload.ts\`, scale ${wl.scale}, seed ${wl.seed}: ${wl.images.length} images, ${wl.uniqueBlobs} distinct blobs and ${wl.uniqueDocuments} manifests/indexes, **${mb(wl.uniqueBytes)} MB of unique blob bytes** (storing shared blobs once saves ${mb(wl.sharedBytes)} MB). Layers from ${(wl.smallestLayer / 1024).toFixed(1)} KiB to ${mb(wl.largestLayer)} MB, incompressible (AES-CTR keystream in a tar, gzip'd), pushed by skopeo into a local CNCF distribution registry over plain HTTP on 127.0.0.1. Generating and pushing took ${secs(wl.seconds)} s.

${mdTable(
  ['image', 'manifest', 'platforms', 'layers', 'MB'],
  wl.images.map((i) => [
    host(i.ref),
    `${i.format} ${i.kind === 'index' ? (i.format === 'docker' ? 'manifest list' : 'index') : 'manifest'}`,
    i.platforms.join(', '),
    String(i.layers),
    mb(i.bytes),
  ]),
  'lllrr',
)}

The flat-RSS check also runs bmpack on the same release at scale ${r.smallWorkload.scale} (${mb(r.smallWorkload.uniqueBytes)} MB).

## Results

Wall seconds, CPU seconds (user + system) and peak RSS from GNU time (\`/usr/bin/time -f '%e %M %U %S'\`) around each process; MB = 10⁶ bytes. The machine has ${e.nproc} CPUs: CPU s above wall s means more than one was busy. *Other CPU s* is what the rest of the machine used meanwhile (from /proc/stat): the registry serving the blobs, and anything else running — more than the registry's share (well under a second per step here) means the step was disturbed. Load average when the run began: ${e.loadAverage.toFixed(2)}.

${mdTable(
  ['step', 'wall s', 'CPU s', 'other CPU s', 'peak RSS MB', 'output MB'],
  rows(r).map((x) => [
    x.step.replace(/^ {2}/, '&nbsp;&nbsp;'),
    x.wall,
    x.cpu,
    x.other,
    x.rss,
    x.out,
  ]),
  'lrrrrr',
)}

## Targets

${mdTable(
  ['target', 'measured', 'limit', 'ratio', 'result'],
  vs.map((v) => [v.name, v.measured, v.limit, v.ratio.toFixed(3), `**${verdictWord(v)}**`]),
  'lllrl',
)}
${base !== undefined ? `\n${renderBaselineMarkdown(...base)}` : ''}
## bmpack cold run by phase

Seconds from start to each progress line bmpack prints on stderr as a phase begins (\`resolving N images\`, \`fetch:\`, \`write:\`), and to exit.

${phaseLines(r)
  .map((l) => `    ${l}`)
  .join('\n')}

Warm re-run (cache full): ${r.warm.json !== undefined ? `${r.warm.json.fetchedBlobs} blobs fetched` : 'no JSON result'}; output byte-identical to the cold run's: ${r.warmIdentical ? 'yes' : '**no**'}. bmpack reports ${r.warm.json !== undefined ? `${r.warm.json.blobs} blobs, ${r.warm.json.bytes} bytes (the workload has ${wl.uniqueBlobs + wl.uniqueDocuments} and ${wl.uniqueBytes})` : '—'}.
${r.profileSummary !== undefined ? `\n## CPU profile of the cold run\n\n\`\`\`\n${r.profileSummary}\n\`\`\`\n` : ''}
## Method

- bmpack: \`node bin/run.js bundle create --manifest … --output … --insecure-registry 127.0.0.1:PORT --cache-dir <empty dir>\` (cold; ${r.coldRuns.length} runs, each with a fresh cache, the median counts and the RSS target takes the largest), then again with the last cache full (warm, \`--json\`), then cold at the small scale. bmpack is built from the working tree into the run directory first as \`npm run build\` builds it: the single file dist/bmpack.cjs with its V8 code cache, which bin/run.js starts (unless \`--use-dist\`).
- peer: \`skopeo copy --all --src-tls-verify=false docker://… oci:LAYOUT:REF\` for each image in turn (skopeo converts the Docker manifests to OCI on the way), then \`tar -cf - -C LAYOUT . | xz -T0 -0 > out.tar.xz\` and separately \`| xz -T0 -6\`.
- \`sync\` runs before every measured step, so none pays for an earlier step's writeback. Everything reads the registry's files from the page cache (they were just written). bmpack fsyncs its bundle before renaming it (inside its time); the peer pipeline does not sync (its writeback happens in the next \`sync\`, outside its time).
- Targets: bmpack cold wall ≤ 0.10 × (skopeo sum + tar | xz -T0 -0 wall); peak RSS of every bmpack run ≤ 300 MB; bundle ≤ 1.001 × the xz -0 output.
${r.push !== undefined ? `\n${renderPushMarkdown(r.push, e.nproc)}` : ''}`;
}
