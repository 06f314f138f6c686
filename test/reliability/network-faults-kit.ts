/**
 * Shared by the network-fault and interruption tests: the built CLI run as
 * a child process with a controlled proxy environment, a release seeded into
 * a real registry, and checks of what a registry or a folder holds.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { sha256Digest } from '../../src/content/digest.js';
import { blobsOf } from '../rig/image-generator.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { requireBuiltCli, type CliRun } from '../rig/cli.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireTool } from '../rig/tools.js';
import { seedRelease, writeImageSet, type ReleaseFixture } from '../rig/release-fixture.js';

export interface CliEnvOptions {
  /** HTTP_PROXY and HTTPS_PROXY (both spellings); no NO_PROXY. Without it, no proxy at all. */
  readonly proxy?: string;
  /** BMPACK_STALL_TIMEOUT_MS: how long a silent connection is waited for. */
  readonly stallTimeoutMs?: number;
}

/**
 * What a CLI run adds to its environment (runCli drops any proxy or BMPACK_
 * setting inherited from the machine first: a NO_PROXY listing 127.0.0.1
 * would silently take the proxy out of the path).
 */
export function cliEnv(o: CliEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (o.proxy !== undefined) {
    for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
      env[key] = o.proxy;
  }
  if (o.stallTimeoutMs !== undefined) env.BMPACK_STALL_TIMEOUT_MS = String(o.stallTimeoutMs);
  return env;
}

/** What a failed expectation prints: how the CLI ended and what it said. */
export const why = (run: CliRun): string =>
  `exit ${String(run.code ?? run.signal)}\n${run.stderr}\n${run.stdout}`;

/** A GET of the blob `digest`, as the fault proxy saw it. */
export const isBlobGet =
  (digest: string) =>
  (r: ProxiedRequest): boolean =>
    r.method === 'GET' && r.path.includes(`/blobs/${digest}`);

/** The closing PUT of an upload of `digest` (its digest is in the query). */
export const isUploadPut =
  (digest: string) =>
  (r: ProxiedRequest): boolean =>
    r.method === 'PUT' &&
    r.path.includes('/blobs/uploads/') &&
    r.path.includes(encodeURIComponent(digest));

/** `push images` of `bundle` into `target` over plain HTTP, no credentials, `--json`. */
export function anonymousPushArgs(bundle: string, target: string, ...extra: string[]): string[] {
  return [
    'push',
    'images',
    '--source',
    bundle,
    '--private-registry',
    target,
    '--plain-http',
    '--need-credential=false',
    ...extra,
    '--json',
  ];
}

/** What `--json` prints: a command's result, or `{error}`. */
export interface CliJson {
  readonly error?: { code: string; message: string; hint?: string; exitCode: number };
  readonly sha256?: string;
  readonly fetchedBlobs?: number;
  readonly images?: number;
  readonly blobsUploaded?: number;
  readonly blobsSkipped?: number;
  readonly bytesUploaded?: number;
}

/** The `--json` output of a run, with the run's output in the error when it is not JSON. */
export function jsonOf(run: CliRun): CliJson {
  try {
    return JSON.parse(run.stdout) as CliJson;
  } catch {
    throw new Error(
      `bmpack exited ${String(run.code ?? run.signal)} without JSON:\n${run.stdout}\n${run.stderr}`,
    );
  }
}

/** The `{error}` a failed `--json` run printed. */
export function errorOf(run: CliRun): NonNullable<CliJson['error']> {
  const error = jsonOf(run).error;
  if (error === undefined)
    throw new Error(`bmpack printed no error:\n${run.stdout}\n${run.stderr}`);
  return error;
}

/** The manifest digest `skopeo inspect --raw` reads at `registry/path:tag` (plain HTTP). */
export async function skopeoDigest(registry: RunningRegistry, ref: string): Promise<string> {
  const raw = await runTool(requireTool('skopeo', 'skopeo'), [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--no-creds',
    `docker://${registry.host}/${ref}`,
  ]);
  return sha256Digest(raw);
}

/** The release's configs and layers, biggest first. */
export function releaseBlobs(release: ReleaseFixture): Array<{ digest: string; size: number }> {
  const all = new Map<string, number>();
  for (const { item } of release.images) {
    for (const [digest, data] of blobsOf(item)) all.set(digest, data.length);
  }
  for (const { item } of release.images) {
    all.delete(item.manifestDigest);
    if (item.kind === 'index') for (const i of item.images) all.delete(i.manifestDigest);
  }
  return [...all]
    .map(([digest, size]) => ({ digest, size }))
    .sort((a, b) => b.size - a.size || a.digest.localeCompare(b.digest));
}

/** Temporary files (`.NAME.tmp-PID-RAND`, src/fs/atomic-file.ts) anywhere under `dir`. */
export async function tempFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  return entries.filter((name) => /(^|\/)\.[^/]*\.tmp-\d+-/.test(name));
}

/** Every image of the release at `registry` under `ns`, with the digest skopeo reads there. */
export async function digestsAt(
  registry: RunningRegistry,
  ns: string,
  release: ReleaseFixture,
  sourceHost: string,
): Promise<Array<{ ref: string; expected: string; actual: string | undefined }>> {
  return Promise.all(
    release.images.map(async ({ ref, item }) => {
      const path = `${ns}/${ref.slice(sourceHost.length + 1)}`;
      let actual: string | undefined;
      try {
        actual = await skopeoDigest(registry, path);
      } catch (err) {
        if (!(err instanceof Error && /manifest unknown/i.test(err.message))) throw err;
      }
      return { ref: path, expected: item.manifestDigest, actual };
    }),
  );
}

/** What both reliability suites start with: the release in a real registry, a fault proxy in front. */
export interface FaultRig {
  readonly source: RunningRegistry;
  readonly release: ReleaseFixture;
  /** The release's configs and layers, biggest first. */
  readonly blobs: Array<{ digest: string; size: number }>;
  readonly faults: FaultProxy;
  readonly dir: TrackedDir;
}

/**
 * Starts the rig; each part's stop goes into `cleanups` as soon as it runs
 * (stop them in reverse order), so a `before` that fails half-way leaks nothing.
 */
export async function startFaultRig(
  tempPrefix: string,
  cleanups: Array<() => Promise<void>>,
): Promise<FaultRig> {
  requireBuiltCli();
  requireTool('skopeo', 'skopeo');
  const source = await startRegistry('anonymous');
  cleanups.push(() => source.stop());
  const release = await seedRelease(source);
  const faults = await startFaultProxy(source);
  cleanups.push(() => faults.stop());
  const dir = await makeTempDir(tempPrefix);
  cleanups.push(() => dir.stop());
  return { source, release, blobs: releaseBlobs(release), faults, dir };
}

/**
 * The release's image list with its images named on `host` (the source
 * reached another way), and a clean bundle of it made in-process: what the
 * CLI's runs are compared with.
 */
export async function referenceBundle(
  rig: FaultRig,
  host: string,
  name: string,
  cleanups: Array<() => Promise<void>>,
): Promise<{ readonly list: string; readonly file: string; readonly bytes: Buffer }> {
  const list = await writeImageSet(
    rig.release.images.map((i) => `${host}${i.ref.slice(rig.source.host.length)}`),
  );
  cleanups.push(() => list.cleanup());
  const file = join(rig.dir.path, `${name}.tar.xz`);
  await createBundle({
    manifests: [list.file],
    output: file,
    cacheDir: join(rig.dir.path, `${name}-cache`),
    insecureRegistries: [host],
    env: {},
  });
  return { list: list.file, file, bytes: await readFile(file) };
}
