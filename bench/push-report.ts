/**
 * The push benchmark's figures, verdicts and renderings (a block of the
 * console output and the "push images" section of bench/RESULTS.md).
 */
import { extraBytes, type DiskUse } from './disk.js';
import { medianBy } from './median.js';
import type { TimedResult } from './timed.js';

/** `bmpack push images --json` output (PushImagesResult). */
export interface PushJson {
  readonly images: number;
  readonly manifestsPushed: number;
  readonly blobsUploaded: number;
  readonly blobsSkipped: number;
  readonly blobsMounted: number;
  readonly bytesUploaded: number;
  readonly seconds: number;
}

/** One image of the bundle, and what the peer pushes for it. */
export interface PushImage {
  /** ref.name in the bundle's index.json (`HOST:PORT/PATH:TAG` of the source registry). */
  readonly ref: string;
  /** `PATH:TAG`, pushed by both as `TARGET/mirror/PATH:TAG`. */
  readonly path: string;
  readonly mediaType: string;
  readonly bundleDigest: string;
  /** Where skopeo reads it: the extracted bundle, or (Docker media types) the peer's own OCI layout. */
  readonly peerSource: 'extracted bundle' | 'peer layout';
  /** The REF of `oci:DIR:REF`. */
  readonly peerRef: string;
  /** The digest skopeo pushes (--preserve-digests): the bundle's, or the OCI-converted one. */
  readonly peerDigest: string;
}

/** An image's manifest as fetched back from both targets. */
export interface DigestCheck {
  readonly path: string;
  /** sha256 of the manifest bytes at the bmpack target (or what went wrong). */
  readonly bmpackDigest: string;
  /** Its Docker-Content-Digest header. */
  readonly bmpackHeader: string;
  /** Both equal the bundle's index.json digest. */
  readonly bmpackOk: boolean;
  readonly peerDigest: string;
  /** Equal to the digest the peer pushed. */
  readonly peerOk: boolean;
}

/** What a step cost its target registry, and what crossed the loopback interface. */
export interface TargetCost {
  /** Bytes received on `lo` while it ran (/proc/net/dev; machine-wide, TCP/IP headers included). */
  readonly loopback: number;
  /** CPU seconds of the target registry process meanwhile (/proc/PID/stat). */
  readonly registryCpu: number;
}

/** One round: two fresh registries, both sides pushed, re-run and checked. */
export interface PushRound {
  readonly round: number;
  readonly bmpack: TimedResult;
  readonly bmpackJson?: PushJson;
  readonly bmpackDisk: DiskUse;
  readonly bmpackCost: TargetCost;
  readonly bmpackRerun: TimedResult;
  readonly bmpackRerunJson?: PushJson;
  readonly bmpackRerunDisk: DiskUse;
  readonly bmpackRerunCost: TargetCost;
  /** `tar -xJf BUNDLE -C DIR` (tar and the xz -d it starts). */
  readonly extract: TimedResult;
  /** Disk allocated to the extracted folder. */
  readonly extractedBytes: number;
  /** One `skopeo copy` per image, in the bundle's order. */
  readonly copies: readonly TimedResult[];
  /** Over all the copies. */
  readonly copiesCost: TargetCost;
  /** Over the extraction and the copies. */
  readonly peerDisk: DiskUse;
  readonly rerunCopies: readonly TimedResult[];
  readonly rerunCopiesCost: TargetCost;
  readonly peerRerunDisk: DiskUse;
  readonly digests: readonly DigestCheck[];
  /** The baseline build's push into a fresh registry of its own, and its re-run (--baseline). */
  readonly baselinePush?: TimedResult;
  readonly baselineRerun?: TimedResult;
}

export interface PushResults {
  readonly bundleBytes: number;
  readonly images: readonly PushImage[];
  readonly rounds: readonly PushRound[];
  /** 1-minute load average when the push benchmark began. */
  readonly loadAverage: number;
  readonly profileSummary?: string;
}

/** What one step cost in one round. */
interface Figures {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly machineCpuSeconds: number;
  readonly maxRssKiB: number;
  /** Extra disk, bytes (undefined: not measured for this step alone). */
  readonly diskBytes?: number;
  /** The target registry's CPU and loopback bytes (undefined: not measured for this step alone). */
  readonly cost?: TargetCost;
}

function of(t: TimedResult, diskBytes?: number, cost?: TargetCost): Figures {
  return {
    wallSeconds: t.wallSeconds,
    cpuSeconds: t.cpuSeconds,
    machineCpuSeconds: t.machineCpuSeconds,
    maxRssKiB: t.maxRssKiB,
    ...(diskBytes !== undefined ? { diskBytes } : {}),
    ...(cost !== undefined ? { cost } : {}),
  };
}

/** Processes run one after the other: times add up, RSS is the largest. */
function sequence(parts: readonly Figures[], diskBytes?: number, cost?: TargetCost): Figures {
  return {
    wallSeconds: parts.reduce((s, p) => s + p.wallSeconds, 0),
    cpuSeconds: parts.reduce((s, p) => s + p.cpuSeconds, 0),
    machineCpuSeconds: parts.reduce((s, p) => s + p.machineCpuSeconds, 0),
    maxRssKiB: Math.max(0, ...parts.map((p) => p.maxRssKiB)),
    ...(diskBytes !== undefined ? { diskBytes } : {}),
    ...(cost !== undefined ? { cost } : {}),
  };
}

/** The steps of a round, each as one set of figures. */
export interface RoundSteps {
  readonly bmpack: Figures;
  readonly bmpackRerun: Figures;
  readonly extract: Figures;
  readonly copies: Figures;
  /** Extraction and copies, one after the other (the `sync` between them not counted). */
  readonly peer: Figures;
  readonly peerRerun: Figures;
}

export function roundSteps(r: PushRound): RoundSteps {
  const extract = of(r.extract, r.extractedBytes);
  const copies = sequence(
    r.copies.map((c) => of(c)),
    undefined,
    r.copiesCost,
  );
  return {
    bmpack: of(r.bmpack, extraBytes(r.bmpackDisk), r.bmpackCost),
    bmpackRerun: of(r.bmpackRerun, extraBytes(r.bmpackRerunDisk), r.bmpackRerunCost),
    extract,
    copies,
    peer: sequence([extract, copies], extraBytes(r.peerDisk), r.copiesCost),
    peerRerun: sequence(
      r.rerunCopies.map((c) => of(c)),
      extraBytes(r.peerRerunDisk),
      r.rerunCopiesCost,
    ),
  };
}

/** The round whose `pick` wall time is the median (the upper one of an even count). */
function medianOf(steps: readonly RoundSteps[], pick: (s: RoundSteps) => Figures): Figures {
  return medianBy(steps.map(pick), (f) => f.wallSeconds);
}

export interface PushVerdict {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly ratio: number;
  readonly pass: boolean;
}

const MB = 1e6;
const secs = (s: number): string => s.toFixed(2);
const rssMb = (kib: number): string => ((kib * 1024) / MB).toFixed(1);
const mb = (bytes: number): string => (bytes / MB).toFixed(2);

/** RSS limit of the push target, bytes (300 MB, decimal). */
const rssLimitBytes = 300 * MB;

export function pushVerdicts(p: PushResults): PushVerdict[] {
  const steps = p.rounds.map(roundSteps);
  const bmpack = medianOf(steps, (s) => s.bmpack);
  const peer = medianOf(steps, (s) => s.peer);
  const rerun = medianOf(steps, (s) => s.bmpackRerun);
  const peerRerun = medianOf(steps, (s) => s.peerRerun);
  const bmpackRuns = steps.flatMap((s) => [s.bmpack, s.bmpackRerun]);
  const maxRss = Math.max(...bmpackRuns.map((b) => b.maxRssKiB * 1024));
  const maxDisk = Math.max(...bmpackRuns.map((b) => b.diskBytes ?? 0));
  const diskLimit = 0.05 * p.bundleBytes;
  const checks = p.rounds.flatMap((r) => r.digests);
  const good = checks.filter((d) => d.bmpackOk).length;
  const expected = p.rounds.length * p.images.length;
  const n = p.rounds.length;
  const med = n > 1 ? `medians of ${n}` : 'one round';
  return [
    {
      name: `wall: bmpack push ≤ 0.5 × (tar -xJf + skopeo copy × ${p.images.length}) (${med})`,
      measured: `${secs(bmpack.wallSeconds)} s`,
      limit: `${secs(0.5 * peer.wallSeconds)} s (0.5 × ${secs(peer.wallSeconds)} s)`,
      ratio: bmpack.wallSeconds / peer.wallSeconds,
      pass: bmpack.wallSeconds <= 0.5 * peer.wallSeconds,
    },
    {
      name: `wall: bmpack re-run ≤ 0.5 × skopeo copy re-run (${med})`,
      measured: `${secs(rerun.wallSeconds)} s`,
      limit: `${secs(0.5 * peerRerun.wallSeconds)} s (0.5 × ${secs(peerRerun.wallSeconds)} s)`,
      ratio: rerun.wallSeconds / peerRerun.wallSeconds,
      pass: rerun.wallSeconds <= 0.5 * peerRerun.wallSeconds,
    },
    {
      name: 'peak RSS: every bmpack push run ≤ 300 MB',
      measured: `${(maxRss / MB).toFixed(1)} MB`,
      limit: '300 MB',
      ratio: maxRss / rssLimitBytes,
      pass: maxRss <= rssLimitBytes,
    },
    {
      name: 'disk: bmpack extra disk (peak, any run) < 5 % of the bundle',
      measured: `${maxDisk} B`,
      limit: `${Math.floor(diskLimit)} B (0.05 × ${p.bundleBytes} B)`,
      ratio: maxDisk / p.bundleBytes,
      pass: maxDisk < diskLimit,
    },
    {
      name: "digests: every image at the bmpack target = the bundle's index.json digest",
      measured: `${good} of ${checks.length}`,
      limit: `${expected} (${p.images.length} images × ${n} rounds)`,
      ratio: expected === 0 ? 0 : good / expected,
      pass: expected > 0 && good === expected && checks.length === expected,
    },
  ];
}

/** The table's columns after the step: heading, and right-aligned or not. */
const columns: ReadonlyArray<readonly [string, 'l' | 'r']> = [
  ['wall s', 'r'],
  ['each round', 'l'],
  ['CPU s', 'r'],
  ['registry CPU s', 'r'],
  ['other CPU s', 'r'],
  ['peak RSS MB', 'r'],
  ['extra disk MB', 'r'],
  ['loopback MB', 'r'],
];

/** A step and its cells, in the order of {@link columns}. */
type Row = readonly [string, readonly string[]];

function rows(p: PushResults): Row[] {
  const steps = p.rounds.map(roundSteps);
  const n = p.images.length;
  const row = (step: string, pick: (s: RoundSteps) => Figures, disk = true): Row => {
    const m = medianOf(steps, pick);
    const registry = m.cost?.registryCpu;
    return [
      step,
      [
        secs(m.wallSeconds),
        steps.map((s) => secs(pick(s).wallSeconds)).join(' / '),
        secs(m.cpuSeconds),
        registry !== undefined ? secs(registry) : '',
        secs(Math.max(0, m.machineCpuSeconds - m.cpuSeconds - (registry ?? 0))),
        rssMb(Math.max(...steps.map((s) => pick(s).maxRssKiB))),
        disk && m.diskBytes !== undefined ? mb(m.diskBytes) : '',
        m.cost !== undefined ? mb(m.cost.loopback) : '',
      ],
    ];
  };
  return [
    row('bmpack push images', (s) => s.bmpack),
    row('bmpack push images re-run', (s) => s.bmpackRerun),
    row('peer: tar -xJf bundle (tar + xz -d)', (s) => s.extract),
    row(`peer: skopeo copy × ${n} → registry (sum)`, (s) => s.copies, false),
    row('peer total: extract + copies', (s) => s.peer),
    row(`peer re-run: skopeo copy × ${n} (sum)`, (s) => s.peerRerun),
  ];
}

function countsLine(label: string, j: PushJson | undefined): string {
  if (j === undefined) return `${label}: no JSON result`;
  return `${label}: ${j.images} images, ${j.blobsUploaded} blobs uploaded (${mb(j.bytesUploaded)} MB), ${j.blobsMounted} mounted, ${j.blobsSkipped} already there, ${j.manifestsPushed} manifests put; bmpack's own clock ${secs(j.seconds)} s`;
}

function word(v: PushVerdict): string {
  return v.pass ? 'PASS' : 'FAIL';
}

/** A short headline for the top of RESULTS.md. */
export function pushHeadline(p: PushResults): string {
  const vs = pushVerdicts(p);
  const failed = vs.filter((v) => !v.pass).length;
  return failed === 0
    ? 'push images: all targets met.'
    : `push images: ${failed} of ${vs.length} targets missed.`;
}

/** The push block of the console output. */
export function renderPushConsole(p: PushResults): string[] {
  const table = rows(p);
  const w = Math.max(...table.map(([step]) => step.length));
  const widths = columns.map(([head], i) =>
    Math.max(head.length, ...table.map(([, cells]) => cells[i]?.length ?? 0)),
  );
  const line = (first: string, cells: readonly string[]): string =>
    [
      first.padEnd(w),
      ...columns.map(([, align], i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return align === 'r' ? cell.padStart(width) : cell.padEnd(width);
      }),
    ].join('  ');
  const head = line(
    'step',
    columns.map(([h]) => h),
  );
  const median = p.rounds[Math.floor(p.rounds.length / 2)];
  return [
    '',
    `bmpack push images: ${p.images.length} images from a ${mb(p.bundleBytes)} MB bundle into a fresh registry, ${p.rounds.length} round(s); wall = median`,
    '',
    head,
    '-'.repeat(head.length),
    ...table.map(([step, cells]) => line(step, cells)),
    '',
    'push targets:',
    ...pushVerdicts(p).map(
      (v) =>
        `  ${word(v).padEnd(4)}  ${v.name}: ${v.measured} vs ${v.limit}  (ratio ${v.ratio.toFixed(3)})`,
    ),
    ...(median !== undefined
      ? [
          '',
          `  round ${median.round}: ${countsLine('bmpack push', median.bmpackJson)}`,
          `  round ${median.round}: ${countsLine('bmpack re-run', median.bmpackRerunJson)}`,
        ]
      : []),
    ...(p.profileSummary !== undefined ? ['', p.profileSummary] : []),
  ];
}

/** A Markdown table; `align` has one letter per column, l or r. */
export function mdTable(
  head: readonly string[],
  body: ReadonlyArray<readonly string[]>,
  align: string,
): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${align
      .split('')
      .map((a) => (a === 'r' ? ' ---: ' : ' --- '))
      .join('|')}|`,
    ...body.map((row) => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

const short = (digest: string): string =>
  digest.startsWith('sha256:') ? `${digest.slice(7, 19)}…` : digest;

/** The "push images" section of RESULTS.md. */
export function renderPushMarkdown(p: PushResults, nproc: number): string {
  const vs = pushVerdicts(p);
  const n = p.rounds.length;
  const last = p.rounds[p.rounds.length - 1];
  const fromPeer = p.images.filter((i) => i.peerSource === 'peer layout');
  const perImage = last
    ? p.images.map((image, i) => {
        const d = last.digests[i];
        return [
          image.path,
          image.mediaType.replace(/^application\/vnd\./, ''),
          short(image.bundleDigest),
          d === undefined ? '—' : d.bmpackOk ? 'same' : `**${short(d.bmpackDigest)}**`,
          image.peerSource === 'peer layout'
            ? `peer layout (OCI ${short(image.peerDigest)})`
            : 'extracted bundle',
          d === undefined ? '—' : d.peerOk ? 'as pushed' : `**${short(d.peerDigest)}**`,
          secs(last.copies[i]?.wallSeconds ?? NaN),
          secs(last.rerunCopies[i]?.wallSeconds ?? NaN),
        ];
      })
    : [];
  const shown = p.rounds[Math.floor(n / 2)];
  const disk = (d: DiskUse): string =>
    `${mb(d.before)} → peak ${mb(d.peak)} → ${mb(d.after)} MB (${d.samples} samples)`;
  return `## push images

\`bmpack push images\` of the cold run's bundle (${mb(p.bundleBytes)} MB, ${p.images.length} images) into a fresh, empty registry, and again into the same registry (re-run: everything is there), against what bmctl/skopeo users do: extract the bundle, push each image with skopeo, and for the re-run push each image again. ${n} round${n === 1 ? '' : 's'}, each with two fresh registries (one per side); the wall column is the median round, *each round* lists all; CPU s and other CPU s are the median round's, peak RSS the largest of any round. The peer's extract and copies are separate processes: their rows add their wall and CPU seconds, and take the largest RSS. *registry CPU s* is the target registry's (from /proc/PID/stat), *other CPU s* the rest of the machine's meanwhile (anything else running; on ${nproc} CPUs the tool, its registry and the rest share them). *loopback MB* is what crossed the loopback interface while the step ran (/proc/net/dev, TCP/IP headers included, machine-wide): the bytes each side actually sent to its registry. Load average when the push benchmark began: ${p.loadAverage.toFixed(2)} (${nproc} CPUs; the 1-minute average includes this run's own earlier steps, such as tar | xz -T0 -6: *other CPU s* shows what else ran meanwhile).

${mdTable(
  ['step', ...columns.map(([h]) => h)],
  rows(p).map(([step, cells]) => [step, ...cells]),
  `l${columns.map(([, a]) => a).join('')}`,
)}

### Push targets

${mdTable(
  ['target', 'measured', 'limit', 'ratio', 'result'],
  vs.map((v) => [v.name, v.measured, v.limit, v.ratio.toFixed(3), `**${word(v)}**`]),
  'lllrl',
)}

${
  shown !== undefined
    ? `Round ${shown.round}:

- ${countsLine('bmpack push', shown.bmpackJson)}.
- ${countsLine('bmpack re-run', shown.bmpackRerunJson)}.
- Disk under the run directory (registries' storage, bmpack's build and GNU time's files left out), sampled every 250 ms: bmpack push ${disk(shown.bmpackDisk)}; re-run ${disk(shown.bmpackRerunDisk)}; peer extract + copies ${disk(shown.peerDisk)}, of which the extracted folder ${mb(shown.extractedBytes)} MB; peer re-run ${disk(shown.peerRerunDisk)}.
`
    : ''
}
### What each side pushes (round ${last?.round ?? '—'})

Each manifest was fetched back (GET with every manifest media type accepted) from both targets after both sides had pushed and re-run: *bmpack target* compares the sha256 of its bytes and the registry's Docker-Content-Digest with the bundle's index.json; *peer target* compares them with what the peer pushed.

${mdTable(
  [
    'image',
    'media type',
    'bundle digest',
    'bmpack target',
    'peer pushes from',
    'peer target',
    'skopeo s',
    're-run s',
  ],
  perImage,
  'llllllrr',
)}

**Asymmetry.** skopeo 1.9's \`oci:\` transport only reads index.json entries with OCI media types (for the others: \`no descriptor found for reference\`), so it cannot push the bundle's ${fromPeer.length} Docker-media-type images (${fromPeer.map((i) => i.path).join(', ')}) from the extracted bundle. For those the peer pushes the copies in its own OCI layout from the bundle create comparison (\`skopeo copy --all docker://… oci:\` converted them to OCI): the same layer blobs, byte for byte, but re-serialised configs and OCI manifests and indexes, so different image digests at the peer target. That layout is already on disk, so the peer's extraction time and extra disk do not include these images' manifests and configs (a few KB; their layers are shared with the extracted bundle and are extracted anyway). bmpack pushes every image as the bundle has it, Docker media types and digests kept.

### Method (push)

- bmpack: \`node bin/run.js push images --source BUNDLE --private-registry 127.0.0.1:PORT/mirror --plain-http --need-credential=false --json\` into an empty registry, then the same command again (re-run).
- peer: \`tar -xJf BUNDLE -C DIR\` (GNU tar starting \`xz -d\`; GNU time's RSS is the larger of the two, its CPU both), then per image \`skopeo --policy PERMISSIVE copy --all --preserve-digests oci:DIR:REF docker://127.0.0.1:PORT/mirror/PATH:TAG --dest-tls-verify=false\`; the re-run is the same copies again, from the extracted folder, which is kept (skopeo HEADs each blob and skips those the registry has; loopback MB shows what still moved).
- Targets are CNCF distribution registries on 127.0.0.1 over plain HTTP, fresh per round. \`sync\` runs before every measured step (also between the peer's extraction and its copies, outside both times). *extra disk* is the most the run directory grew (registries' storage, bmpack's build and GNU time's files left out) while the step ran, sampled every 250 ms, blocks allocated as \`du\` counts them; TMPDIR of every process is inside the run directory.
- Targets: bmpack push wall ≤ 0.5 × (tar -xJf + Σ skopeo copy) wall, medians; bmpack re-run ≤ 0.5 × Σ skopeo copy re-run; peak RSS of every bmpack push ≤ 300 MB; bmpack's extra disk < 5 % of the bundle; every image at the bmpack target has the bundle's digest.
${p.profileSummary !== undefined ? `\n### CPU profile of a push and its re-run\n\nInto a third fresh registry, not timed, without \`--json\`.\n\n\`\`\`\n${p.profileSummary}\n\`\`\`\n` : ''}`;
}
