/**
 * `mirror check --config PATH --runtime R`: what a node running R would do
 * for each image of the bundle under the configuration at PATH — which URL
 * it asks the mirror, where it falls back, with which TLS — and whether
 * that URL is where push put the image. PATH is the runtime's file, or a
 * folder: a node's root (a tree `mirror config` wrote, or `/`), whose
 * absolute paths are looked up below it. Reads files; the judging is pure
 * (config-analysis.ts, analysis-*.ts).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BmpackError, isBmpackError } from '../errors.js';
import { readLocalFile } from '../fs/write-atomic.js';
import { planDaemonJson } from './analysis-daemon-json.js';
import { planRegistriesConf, registryEntries } from './analysis-registries-conf.js';
import { planRegistriesYaml } from './analysis-registries-yaml.js';
import {
  checkContainerdConfig,
  exists,
  kindOf,
  rooted,
  type ConfigCheck,
  type ConfigKind,
  type HostConfigFinding,
} from './config-check.js';
import { manifestUrl, type ImageName, type ImagePlan } from './image-plan.js';
import type { MirrorTarget } from './mirror-target.js';
import type { MirrorRuntime } from './runtime-tree.js';
import { parseToml, type TomlTable } from './toml-parse.js';

/** One image of the bundle as the node would pull it. */
export interface NodePull {
  /** The image as nodes name it. */
  readonly ref: string;
  readonly host: string;
  readonly status: ConfigCheck['hosts'][number]['status'];
  /** The manifest URL the node asks the mirror for. */
  readonly asks?: string;
  /** Where push put it. */
  readonly expected: string;
  readonly fallback?: string;
  readonly tls?: string;
  readonly problems: readonly string[];
}

/** A bundle image: its name on the node, and where push put it at the mirror. */
export interface CheckedImage {
  readonly ref: string;
  readonly name: ImageName;
  /** The repository at the mirror (NAMESPACE/PATH). */
  readonly mirrorRepository: string;
}

export type NodeConfigCheck = ConfigCheck & { readonly images: readonly NodePull[] };

async function isDir(path: string): Promise<boolean> {
  return (await kindOf(path)) === 'dir';
}

function missing(path: string): BmpackError {
  return new BmpackError('E_NOT_FOUND', `runtime configuration ${path}: no such file or folder`, {
    hint: "Give the runtime's configuration file, or a node's root folder (a tree written by mirror config).",
    reason: 'mirror-config-missing',
  });
}

function expectedUrl(target: MirrorTarget, i: CheckedImage): string {
  return manifestUrl(
    `${target.scheme}://${target.registry}/v2`,
    i.mirrorRepository,
    i.name.reference,
  );
}

/** @param runtime undefined: containerd, 1.x or 2.x. */
export async function checkNodeConfig(
  path: string,
  runtime: MirrorRuntime | undefined,
  hosts: readonly string[],
  images: readonly CheckedImage[],
  target: MirrorTarget,
): Promise<NodeConfigCheck> {
  const full = resolve(path);
  if (!(await exists(full))) throw missing(path);
  if (runtime === 'bmctl')
    throw new BmpackError(
      'E_USAGE',
      "bmctl's registryMirrors is a cluster setting, not a node's file: bmctl configures the nodes' containerd from it",
      {
        hint: "Check a node's containerd configuration instead (/etc/containerd/config.toml or its certs.d).",
        reason: 'mirror-check-bmctl',
      },
    );
  if (runtime === undefined || runtime === 'containerd' || runtime === 'containerd2') {
    const version = runtime === 'containerd' ? 2 : runtime === 'containerd2' ? 3 : undefined;
    const check = await checkContainerdConfig(
      full,
      hosts,
      target,
      version !== undefined ? { version } : {},
    );
    return { ...check, images: images.map((i) => containerdPull(check, i, target)) };
  }
  const source = await readRuntimeFiles(full, runtime);
  const plans = images.map((i) => ({ image: i, plan: source.plan(i.name, target) }));
  const pulls: NodePull[] = [];
  for (const { image, plan } of plans) pulls.push(await toPull(plan, image, target, source.root));
  const findings = hosts.map((host) =>
    hostFinding(
      host,
      source.file,
      plans.filter((p) => p.image.name.registry === host).map((p) => p.plan),
      pulls.filter((p) => p.host === host),
    ),
  );
  const ok = pulls.every((p) => p.status === 'ok') && findings.every((f) => f.status === 'ok');
  return {
    path: source.file,
    kind: source.kind,
    hosts: findings,
    problems: [],
    notes: source.notes,
    ok,
    images: pulls,
  };
}

function containerdPull(check: ConfigCheck, i: CheckedImage, target: MirrorTarget): NodePull {
  const f = check.hosts.find((h) => h.host === i.name.registry);
  const expected = expectedUrl(target, i);
  const asks =
    f?.apiBase !== undefined
      ? manifestUrl(f.apiBase, i.name.repository, i.name.reference)
      : undefined;
  const problems =
    asks !== undefined && asks !== expected ? [`asks ${asks}, but push put it at ${expected}`] : [];
  return {
    ref: i.ref,
    host: i.name.registry,
    status: f === undefined ? 'not-mirrored' : problems.length > 0 ? 'wrong' : f.status,
    ...(asks !== undefined ? { asks } : {}),
    expected,
    ...(f?.fallback !== undefined ? { fallback: f.fallback } : {}),
    ...(f?.tls !== undefined ? { tls: f.tls } : {}),
    problems: [...(f?.problems ?? []), ...problems],
  };
}

async function toPull(
  plan: ImagePlan,
  i: CheckedImage,
  target: MirrorTarget,
  root: string,
): Promise<NodePull> {
  const expected = expectedUrl(target, i);
  const problems = [...plan.problems];
  if (plan.asks !== undefined && plan.asks !== expected)
    problems.push(`asks ${plan.asks}, but push put it at ${expected}`);
  for (const ca of plan.caFiles)
    if (!(await exists(rooted(root, ca)))) problems.push(`CA file ${ca} does not exist`);
  let tls = plan.tls;
  if (plan.optionalCa !== undefined && !(await exists(rooted(root, plan.optionalCa))))
    tls = `TLS, system CAs (no ${plan.optionalCa})`;
  return {
    ref: i.ref,
    host: i.name.registry,
    status: problems.length > 0 && plan.status === 'ok' ? 'wrong' : plan.status,
    ...(plan.asks !== undefined ? { asks: plan.asks } : {}),
    expected,
    ...(plan.fallback !== undefined ? { fallback: plan.fallback } : {}),
    ...(tls !== undefined ? { tls } : {}),
    problems,
  };
}

const worst = ['wrong', 'not-mirrored', 'ok'] as const;

function hostFinding(
  host: string,
  file: string,
  plans: readonly ImagePlan[],
  pulls: readonly NodePull[],
): HostConfigFinding {
  const status = worst.find((s) => pulls.some((p) => p.status === s)) ?? 'ok';
  const first = plans[0];
  return {
    host,
    status,
    file,
    ...(first?.endpoint !== undefined ? { endpoint: first.endpoint } : {}),
    ...(first?.fallback !== undefined ? { fallback: first.fallback } : {}),
    ...(pulls[0]?.tls !== undefined ? { tls: pulls[0].tls } : {}),
    problems: [...new Set(pulls.flatMap((p) => p.problems))],
    notes: [...new Set(plans.flatMap((p) => p.notes))],
  };
}

interface RuntimeFiles {
  readonly file: string;
  readonly kind: ConfigKind;
  /** The node root absolute paths are looked up under ('' for this machine's). */
  readonly root: string;
  readonly notes: string[];
  plan(image: ImageName, target: MirrorTarget): ImagePlan;
}

async function parsed<T>(file: string, parse: (text: string) => T): Promise<T> {
  const text = (await readLocalFile(file)).toString('utf8');
  try {
    return parse(text);
  } catch (err) {
    if (isBmpackError(err)) throw err;
    throw new BmpackError(
      'E_CONFIG_INVALID',
      `${file}: ${(err as Error).message.split('\n')[0] ?? ''}`,
      {
        hint: 'Fix the file: the runtime refuses or ignores a file it cannot parse.',
        details: { file },
        cause: err,
      },
    );
  }
}

async function confFiles(dir: string): Promise<string[]> {
  if (!(await isDir(dir))) return [];
  return (await readdir(dir))
    .filter((n) => n.endsWith('.conf'))
    .sort()
    .map((n) => join(dir, n));
}

async function readRuntimeFiles(
  full: string,
  runtime: Exclude<MirrorRuntime, 'containerd' | 'containerd2' | 'bmctl'>,
): Promise<RuntimeFiles> {
  const dir = await isDir(full);
  if (runtime === 'crio' || runtime === 'podman') {
    const root = dir && (await isDir(join(full, 'etc/containers'))) ? full : '';
    const files = !dir
      ? [full]
      : root !== ''
        ? [
            ...((await exists(join(root, 'etc/containers/registries.conf')))
              ? [join(root, 'etc/containers/registries.conf')]
              : []),
            ...(await confFiles(join(root, 'etc/containers/registries.conf.d'))),
          ]
        : await confFiles(full);
    if (files.length === 0) throw missing(join(full, 'etc/containers/registries.conf'));
    const docs: { file: string; doc: TomlTable }[] = [];
    for (const file of files)
      docs.push({ file, doc: await parsed(file, (t) => parseToml(t, file)) });
    const entries = registryEntries(docs);
    return {
      file: files.length === 1 ? (files[0] ?? full) : full,
      kind: 'registries-conf',
      root,
      notes: [`read ${files.join(', ')}`],
      plan: (image, target) =>
        planRegistriesConf(entries, image, target, (h) => `/etc/containers/certs.d/${h}`),
    };
  }
  if (runtime === 'k3s' || runtime === 'rke2') {
    const file = dir ? join(full, `etc/rancher/${runtime}/registries.yaml`) : full;
    if (!(await exists(file))) throw missing(file);
    const doc = await parsed(file, (t) => parseYaml(t) as unknown);
    return {
      file,
      kind: 'registries-yaml',
      root: dir ? full : '',
      notes: [`${runtime} writes containerd's hosts.toml from it at start`],
      plan: (image, target) => planRegistriesYaml(doc, image, target),
    };
  }
  const file = dir ? join(full, 'etc/docker/daemon.json') : full;
  if (!(await exists(file))) throw missing(file);
  const doc = await parsed(file, (t) => JSON.parse(t) as unknown);
  return {
    file,
    kind: 'daemon-json',
    root: dir ? full : '',
    notes: ['Docker uses registry-mirrors for docker.io images only'],
    plan: (image, target) => planDaemonJson(doc, image, target, (h) => `/etc/docker/certs.d/${h}`),
  };
}
