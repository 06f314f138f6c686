/**
 * The benchmark's worker, started by run.ts (never directly): builds bmpack,
 * starts a registry, seeds the workload at two scales, times bmpack bundle
 * create and the peer pipeline, then bmpack push images and its peer
 * (push.ts), prints the table and writes bench/RESULTS.md.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import {
  availableParallelism,
  constants,
  cpus,
  loadavg,
  release,
  totalmem,
  type as osType,
} from 'node:os';
import { join, relative } from 'node:path';
import { startRegistry, type RunningRegistry } from '../test/rig/registry.js';
import { runTool, stopAll } from '../test/rig/processes.js';
import { requireTool } from '../test/rig/tools.js';
import { buildApp, buildRevision, inTurn, type Build } from './build.js';
import { medianBy } from './median.js';
import { summariseCpuProfile, type ProfileWindow } from './cpu-profile.js';
import { optionsEnv, repoRoot, workRoot, type BenchOptions } from './options.js';
import { runPushBench } from './push.js';
import type { PushResults } from './push-report.js';
import {
  renderConsole,
  renderMarkdown,
  type BenchResults,
  type BmpackJson,
  type BmpackPhases,
  type BmpackRun,
  type Environment,
  type PeerRuns,
  type PipelineRun,
} from './report.js';
import {
  gnuTimePath,
  killAllTimed,
  parseTimeFile,
  requireGnuTime,
  timed,
  timeFormat,
  type TimedResult,
} from './timed.js';
import { seedWorkload, writeWorkloadImageSet, type Workload } from './workload.js';
import { resultsFile, writeMainResults } from './results-section.js';

const started = performance.now();
function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${t} s] ${message}\n`);
}

function readOptions(): BenchOptions {
  const text = process.env[optionsEnv];
  if (text === undefined) {
    throw new Error(
      'bench/worker.ts is started by bench/run.ts: run `node --import tsx bench/run.ts`',
    );
  }
  return JSON.parse(text) as BenchOptions;
}

/** The programs the benchmark drives, found on PATH (or failing with the Debian package). */
interface Tools {
  readonly skopeo: string;
  readonly xz: string;
  readonly tar: string;
  readonly bash: string;
  readonly timeVersion: string;
}

function requireTools(): Tools {
  const timeVersion = requireGnuTime();
  requireTool('docker-registry', 'docker-registry');
  return {
    skopeo: requireTool('skopeo', 'skopeo'),
    xz: requireTool('xz', 'xz-utils'),
    tar: requireTool('tar', 'tar'),
    bash: requireTool('bash', 'bash'),
    timeVersion,
  };
}

/** bmpack built from the working tree into the run directory, or the repository's dist/ (--use-dist). */
async function buildBmpack(o: BenchOptions): Promise<string> {
  if (!o.useDist) return buildApp(repoRoot, join(o.runDir, 'app'), log);
  try {
    await stat(join(repoRoot, 'dist', 'commands', 'bundle', 'create.js'));
  } catch {
    throw new Error(
      '--use-dist: dist/commands/bundle/create.js is missing; run npm run build first',
    );
  }
  return join(repoRoot, 'bin', 'run.js');
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += await fileSize(join(entry.parentPath, entry.name));
  }
  return total;
}

/** The environment of every measured tool: no inherited node options, bmpack settings or credentials. */
function toolEnv(o: BenchOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === optionsEnv || k === 'NODE_OPTIONS' || k === 'SOURCE_DATE_EPOCH') continue;
    if (k.startsWith('BMPACK_') || k.startsWith('REGISTRY_')) continue;
    env[k] = v;
  }
  env['DOCKER_CONFIG'] = join(o.runDir, 'docker-config');
  env['CONTAINERS_REGISTRIES_CONF'] = join(o.runDir, 'registries.conf');
  return env;
}

function phasesOf(run: TimedResult): BmpackPhases | undefined {
  const at = (prefix: string): number | undefined =>
    run.lines.find((l) => l.text.startsWith(prefix))?.at;
  const resolving = at('resolving ');
  const fetch = at('fetch: ');
  const write = at('write: ');
  if (resolving === undefined || fetch === undefined || write === undefined) return undefined;
  return {
    startup: resolving,
    resolve: fetch - resolving,
    fetch: write - fetch,
    write: run.wallSeconds - write,
  };
}

function parseBmpackJson(stdout: string): BmpackJson | undefined {
  try {
    const v = JSON.parse(stdout) as Partial<Record<keyof BmpackJson, unknown>>;
    const n = (x: unknown): number => (typeof x === 'number' ? x : NaN);
    return {
      images: n(v.images),
      blobs: n(v.blobs),
      bytes: n(v.bytes),
      dedupedBytes: n(v.dedupedBytes),
      fetchedBlobs: n(v.fetchedBlobs),
      seconds: n(v.seconds),
      sha256: typeof v.sha256 === 'string' ? v.sha256 : '',
    };
  } catch {
    return undefined;
  }
}

interface BmpackCall {
  readonly label: string;
  readonly scale: number;
  readonly bin: string;
  readonly manifest: string;
  readonly output: string;
  readonly cacheDir: string;
  readonly registry: RunningRegistry;
  readonly json?: boolean;
  readonly cpuProfDir?: string;
}

async function runBmpack(o: BenchOptions, c: BmpackCall): Promise<BmpackRun> {
  log(c.label);
  const nodeArgs = c.cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', c.cpuProfDir] : [];
  // prettier-ignore
  const args = [
    ...nodeArgs, c.bin, 'bundle', 'create',
    '--manifest', c.manifest, '--output', c.output,
    '--insecure-registry', c.registry.host, '--cache-dir', c.cacheDir,
    ...(o.concurrency !== undefined ? ['--concurrency', String(o.concurrency)] : []),
    ...(c.json === true ? ['--json'] : []),
  ];
  const run = await timed(c.label, process.execPath, args, {
    timeDir: join(o.runDir, 'time'),
    env: toolEnv(o),
  });
  const phases = phasesOf(run);
  const json = c.json === true ? parseBmpackJson(run.stdout) : undefined;
  log(
    `  ${run.wallSeconds.toFixed(2)} s, peak RSS ${((run.maxRssKiB * 1024) / 1e6).toFixed(1)} MB`,
  );
  return {
    label: c.label,
    scale: c.scale,
    run,
    outputBytes: await fileSize(c.output),
    ...(phases !== undefined ? { phases } : {}),
    ...(json !== undefined ? { json } : {}),
  };
}

async function runPipeline(
  o: BenchOptions,
  tools: Tools,
  layout: string,
  level: '-0' | '-6',
  output: string,
): Promise<PipelineRun> {
  const label = `tar | xz -T0 ${level}`;
  await settle();
  log(label);
  const timeDir = join(o.runDir, 'time');
  const tarTime = join(timeDir, `tar${level}.time`);
  const xzTime = join(timeDir, `xz${level}.time`);
  const script = [
    'set -euo pipefail',
    `"$1" -f "$9" -o "$2" "$3" -cf - -C "$4" . | "$1" -f "$9" -o "$5" "$6" -T0 "$7" > "$8"`,
  ].join('\n');
  // prettier-ignore
  const whole = await timed(label, tools.bash, [
    '-c', script, 'bench', gnuTimePath, tarTime, tools.tar, layout, xzTime, tools.xz, level, output, timeFormat,
  ], { timeDir, env: toolEnv(o) });
  const tar = parseTimeFile(await readFile(tarTime, 'utf8'));
  const xz = parseTimeFile(await readFile(xzTime, 'utf8'));
  const result: PipelineRun = {
    label,
    wallSeconds: whole.wallSeconds,
    // bash's rusage includes the children it waited for: tar, xz and their GNU time.
    cpuSeconds: whole.cpuSeconds,
    machineCpuSeconds: whole.machineCpuSeconds,
    tar,
    xz,
    outputBytes: await fileSize(output),
  };
  log(`  ${result.wallSeconds.toFixed(2)} s, ${(result.outputBytes / 1e6).toFixed(2)} MB`);
  return result;
}

async function runPeer(
  o: BenchOptions,
  tools: Tools,
  registry: RunningRegistry,
  workload: Workload,
): Promise<PeerRuns> {
  const dir = join(o.runDir, 'peer');
  await mkdir(dir);
  const policy = join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const layout = join(dir, 'layout');
  const skopeo: TimedResult[] = [];
  await settle();
  log(`skopeo copy --all × ${workload.images.length} into one OCI layout`);
  for (const image of workload.images) {
    const name = image.ref.slice(registry.host.length + 1);
    // prettier-ignore
    skopeo.push(await timed(`skopeo copy ${name}`, tools.skopeo, [
      '--policy', policy, 'copy', '--all', '--src-tls-verify=false', '--src-no-creds',
      `docker://${image.ref}`, `oci:${layout}:${name}`,
    ], { timeDir: join(o.runDir, 'time'), env: toolEnv(o) }));
  }
  log(`  ${skopeo.reduce((s, r) => s + r.wallSeconds, 0).toFixed(2)} s`);
  const layoutBytes = await treeSize(layout);
  const xz0 = await runPipeline(o, tools, layout, '-0', join(dir, 'peer-0.tar.xz'));
  const xz6 = o.xz6
    ? await runPipeline(o, tools, layout, '-6', join(dir, 'peer-6.tar.xz'))
    : undefined;
  return { skopeo, layoutBytes, xz0, ...(xz6 !== undefined ? { xz6 } : {}) };
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    return (await runTool(command, args)).toString('utf8').split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

async function describeEnvironment(
  loadAverage: number,
  o: BenchOptions,
  tools: Tools,
  registry: string,
): Promise<Environment> {
  const commit = await firstLine('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  const dirty = await runTool('git', [
    '-C',
    repoRoot,
    'status',
    '--porcelain',
    '--',
    'src',
    'commands',
    'bin',
  ])
    .then((b) => b.length > 0)
    .catch(() => false);
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    os: `${osType()} ${release()}`,
    node: process.version,
    tools: [
      ['skopeo', await firstLine(tools.skopeo, ['--version'])],
      ['xz', await firstLine(tools.xz, ['--version'])],
      ['tar', await firstLine(tools.tar, ['--version'])],
      ['GNU time', tools.timeVersion],
      ['registry', await firstLine(registry, ['--version'])],
    ],
    bmpack: `${typeof pkg.version === 'string' ? pkg.version : '?'} at ${commit}${dirty ? ' with uncommitted changes in src/, commands/ or bin/' : ''}`,
    command: ['node --import tsx bench/run.ts', ...o.args].join(' '),
    loadAverage,
  };
}

/** Flushes dirty pages, so that no measurement pays for an earlier step's writes. */
async function settle(): Promise<void> {
  await runTool('sync', [], { timeoutMs: 600_000 });
}

async function sidecar(bundle: string): Promise<string> {
  return (await readFile(`${bundle}.sha256`, 'utf8')).split(' ')[0] ?? '';
}

async function removeBundle(bundle: string, cacheDir?: string): Promise<void> {
  await rm(bundle, { force: true });
  await rm(`${bundle}.sha256`, { force: true });
  if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
}

/** The run with the median wall time (the upper one of an even count). */

/** bmpack's phases as profile windows, in seconds after the spawn. */
function phaseWindows(run: BmpackRun): ProfileWindow[] {
  const ph = run.phases;
  if (ph === undefined) return [];
  const resolveAt = ph.startup;
  const fetchAt = resolveAt + ph.resolve;
  const writeAt = fetchAt + ph.fetch;
  return [
    { name: 'phase start-up', from: 0, to: resolveAt },
    { name: 'phase resolve', from: resolveAt, to: fetchAt },
    { name: 'phase fetch', from: fetchAt, to: writeAt },
    { name: 'phase write', from: writeAt, to: run.run.wallSeconds },
  ];
}

type CommonCall = Pick<BmpackCall, 'bin' | 'registry' | 'manifest' | 'scale'>;

interface ColdRound {
  readonly current: BmpackRun;
  readonly baseline?: BmpackRun;
  /** Whether the baseline's bundle has the current one's sha256 (undefined: no baseline). */
  readonly sameBundle?: boolean;
}

/**
 * Cold bundle create number `i`, each with a fresh cache: the current build's
 * (its bundle kept, as cold-i.tar.xz) and, in turn with it, the baseline's.
 */
async function coldRound(
  o: BenchOptions,
  common: CommonCall,
  out: string,
  i: number,
  baseline: Build | undefined,
): Promise<ColdRound> {
  const output = join(out, `cold-${i}.tar.xz`);
  const baseOutput = join(out, `baseline-cold-${i}.tar.xz`);
  const cold = (bin: string, label: string, bundle: string, cacheDir: string) => async () => {
    await settle();
    return runBmpack(o, { ...common, bin, label, output: bundle, cacheDir });
  };
  const runs = await inTurn(
    i,
    cold(common.bin, `bmpack cold (scale ${o.scale})`, output, join(out, `cache-${i}`)),
    baseline !== undefined
      ? cold(
          baseline.bin,
          `baseline ${baseline.name} cold (scale ${o.scale})`,
          baseOutput,
          join(out, `baseline-cache-${i}`),
        )
      : undefined,
  );
  if (runs.baseline === undefined) return { current: runs.current };
  const sameBundle = (await sidecar(output)) === (await sidecar(baseOutput));
  await removeBundle(baseOutput, join(out, `baseline-cache-${i}`));
  return { ...runs, sameBundle };
}

async function buildBaseline(o: BenchOptions, rev: string): Promise<Build> {
  log(`building the baseline ${rev} (git archive, tsc) into the run directory`);
  const build = await buildRevision(repoRoot, rev, join(o.runDir, 'baseline'), log);
  log(`  baseline ${rev} is commit ${build.commit}`);
  return build;
}

async function main(): Promise<void> {
  const o = readOptions();
  const loadAverage = loadavg()[0] ?? 0;
  const tools = requireTools();
  await mkdir(join(o.runDir, 'time'));
  await mkdir(join(o.runDir, 'docker-config'));
  await writeFile(join(o.runDir, 'registries.conf'), '');
  log(`run directory ${relative(repoRoot, o.runDir)}`);

  log(o.useDist ? 'using dist/' : 'building bmpack (tsc) into the run directory');
  const bin = await buildBmpack(o);
  const baseline = o.baseline !== undefined ? await buildBaseline(o, o.baseline) : undefined;

  const registry = await startRegistry('anonymous');
  log(`registry at ${registry.host}`);
  const seed = async (scale: number): Promise<Workload> => {
    log(`generating and pushing the workload at scale ${scale}`);
    const w = await seedWorkload(registry, {
      scale,
      seed: o.seed,
      prefix: `s${String(scale).replace(/[^0-9a-z]/gi, '_')}`,
    });
    log(
      `  ${w.images.length} images, ${(w.uniqueBytes / 1e6).toFixed(1)} MB unique, ${w.seconds.toFixed(1)} s`,
    );
    return w;
  };
  const smallWorkload = await seed(o.smallScale);
  const workload = await seed(o.scale);
  const manifest = join(o.runDir, 'release.yaml');
  const smallManifest = join(o.runDir, 'release-small.yaml');
  await writeWorkloadImageSet(manifest, workload, 'bench');
  await writeWorkloadImageSet(smallManifest, smallWorkload, 'bench-small');

  const out = join(o.runDir, 'bmpack');
  await mkdir(out);
  const common = { bin, registry, manifest, scale: o.scale };
  const coldRuns: BmpackRun[] = [];
  const baselineRuns: BmpackRun[] = [];
  let sameBundle = true;
  for (let i = 1; i <= o.repeat; i++) {
    const r = await coldRound(o, common, out, i, baseline);
    coldRuns.push(r.current);
    if (r.baseline !== undefined) baselineRuns.push(r.baseline);
    sameBundle &&= r.sameBundle !== false;
    if (i < o.repeat) await removeBundle(join(out, `cold-${i}.tar.xz`), join(out, `cache-${i}`));
  }
  const cold = medianBy(coldRuns, (r) => r.run.wallSeconds);
  const lastOutput = join(out, `cold-${o.repeat}.tar.xz`);
  await settle();
  const warm = await runBmpack(o, {
    ...common,
    label: 'bmpack warm (cache full)',
    output: join(out, 'warm.tar.xz'),
    cacheDir: join(out, `cache-${o.repeat}`),
    json: true,
  });
  const warmIdentical = (await sidecar(lastOutput)) === (await sidecar(join(out, 'warm.tar.xz')));
  await removeBundle(join(out, 'warm.tar.xz'));
  await settle();
  const small = await runBmpack(o, {
    ...common,
    label: `bmpack cold (scale ${o.smallScale})`,
    scale: o.smallScale,
    manifest: smallManifest,
    output: join(out, 'small.tar.xz'),
    cacheDir: join(out, 'cache-small'),
  });
  await removeBundle(join(out, 'small.tar.xz'), join(out, 'cache-small'));

  await settle();
  log('xz -t on the bmpack bundle');
  const xzTest = await timed('xz -t', tools.xz, ['-t', lastOutput], {
    timeDir: join(o.runDir, 'time'),
  });

  const peer = await runPeer(o, tools, registry, workload);

  let profileSummary: string | undefined;
  if (o.cpuProf) {
    // Not one of the timed runs: the profiler slows bmpack down a little.
    const profileDir = join(workRoot, 'profiles');
    await mkdir(profileDir, { recursive: true });
    const before = new Set(await readdir(profileDir));
    await settle();
    const profiled = await runBmpack(o, {
      ...common,
      label: 'bmpack cold, under --cpu-prof',
      output: join(out, 'profiled.tar.xz'),
      cacheDir: join(out, 'cache-profiled'),
      cpuProfDir: profileDir,
    });
    await removeBundle(join(out, 'profiled.tar.xz'), join(out, 'cache-profiled'));
    const file = (await readdir(profileDir)).find(
      (f) => f.endsWith('.cpuprofile') && !before.has(f),
    );
    if (file !== undefined) {
      profileSummary = await summariseCpuProfile(join(profileDir, file), phaseWindows(profiled), {
        wallSeconds: profiled.run.wallSeconds,
      });
    }
  }

  let push: PushResults | undefined;
  if (o.push) {
    push = await runPushBench({
      o,
      bin,
      skopeo: tools.skopeo,
      tar: tools.tar,
      bundle: lastOutput,
      peerLayout: join(o.runDir, 'peer', 'layout'),
      registries: [registry],
      ...(baseline !== undefined ? { baselineBin: baseline.bin } : {}),
      env: toolEnv(o),
      log,
      settle,
    });
  }

  const results: BenchResults = {
    env: await describeEnvironment(
      loadAverage,
      o,
      tools,
      requireTool('docker-registry', 'docker-registry'),
    ),
    workload,
    smallWorkload,
    cold,
    coldRuns,
    warm,
    small,
    xzTest,
    warmIdentical,
    peer,
    ...(profileSummary !== undefined ? { profileSummary } : {}),
    ...(push !== undefined ? { push } : {}),
    ...(baseline !== undefined
      ? {
          baseline: {
            name: baseline.name,
            commit: baseline.commit,
            create: baselineRuns.map((r) => r.run),
            sameBundle,
          },
        }
      : {}),
  };
  process.stdout.write(renderConsole(results));
  await writeMainResults(renderMarkdown(results));
  log(`wrote ${relative(repoRoot, resultsFile)}`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`bench worker: ${signal}: stopping everything\n`);
    killAllTimed();
    // 'exit' runs the rig's last-resort handler: SIGKILL to the registry, temp dirs removed.
    process.exit(128 + constants.signals[signal]);
  });
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll().catch((err: unknown) => {
    process.stderr.write(`bench: cleanup: ${String(err)}\n`);
  });
}
