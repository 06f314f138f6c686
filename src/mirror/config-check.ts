/**
 * `mirror check --config PATH`: is an existing certs.d folder (config_path
 * layout) or config.toml set up so that every registry of a bundle is
 * pulled through the mirror? Reads files as containerd would find them;
 * the judging is in config-analysis.ts.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BmpackError, isBmpackError } from '../errors.js';
import { ioError } from '../fs/atomic-file.js';
import {
  configVersionProblems,
  analyzeCriMirror,
  analyzeHostsToml,
  configPaths,
  criRegistryProblems,
  criRegistryTable,
  type HostAnalysis,
  type HostConfigStatus,
} from './config-analysis.js';
import { hostDirCandidates, type MirrorTarget } from './mirror-target.js';
import { containerdFragment } from './runtime-containerd.js';
import { parseToml } from './toml-parse.js';
import { readLocalFile } from '../fs/write-atomic.js';

export interface HostConfigFinding {
  /** The upstream registry, e.g. docker.io. */
  readonly host: string;
  readonly status: HostConfigStatus;
  /** The file that configures it. */
  readonly file?: string;
  /** The entry that points at the mirror, as written. */
  readonly endpoint?: string;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** The URL repositories go below at the mirror, as the node builds it. */
  readonly apiBase?: string;
  /** Where the node goes when the mirror lacks an image. */
  readonly fallback?: string;
  /** TLS towards the mirror, in words. */
  readonly tls?: string;
}

export type ConfigKind =
  'hosts-dir' | 'config-toml' | 'registries-conf' | 'registries-yaml' | 'daemon-json';

export interface ConfigCheck {
  readonly path: string;
  readonly kind: ConfigKind;
  readonly hosts: readonly HostConfigFinding[];
  /** Problems of the whole file or folder. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly ok: boolean;
}

/** A folder, a file, or nothing at `path` (other errors are E_IO). */
export async function kindOf(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw ioError(err, path, 'read');
  }
}

export interface ContainerdCheckOptions {
  /** Which containerd reads it: 1.x (config version 2) or 2.x (version 3). Default: either. */
  readonly version?: 2 | 3;
}

/**
 * `path` below a node root: absolute paths that files name are looked up
 * there. A path already below the root (a tree written for that root) is
 * taken as it is.
 */
export function rooted(root: string, path: string): string {
  if (root === '' || path === root || path.startsWith(`${root}/`)) return path;
  return join(root, path);
}

/**
 * Checks the certs.d folder or config.toml at `path` for `hosts`, against
 * the mirror `target`. A folder holding `etc/containerd` is a node's root
 * (a tree `mirror config` wrote): its config.toml, or else bmpack's
 * fragment, is checked, and the absolute paths it names are looked up
 * below that root.
 */
export async function checkContainerdConfig(
  path: string,
  hosts: readonly string[],
  target: MirrorTarget,
  options: ContainerdCheckOptions = {},
): Promise<ConfigCheck> {
  const full = resolve(path);
  const kind = await kindOf(full);
  if (kind === undefined) {
    throw new BmpackError(
      'E_NOT_FOUND',
      `containerd configuration ${path}: no such file or folder`,
      {
        hint: 'Give the folder config_path names (e.g. /etc/containerd/certs.d) or /etc/containerd/config.toml.',
        reason: 'mirror-config-missing',
      },
    );
  }
  if (kind === 'dir' && (await kindOf(join(full, 'etc', 'containerd'))) === 'dir') {
    const main = join(full, 'etc', 'containerd', 'config.toml');
    const file = (await exists(main)) ? main : join(full, containerdFragment);
    return checkConfigToml(file, hosts, target, { root: full, version: options.version });
  }
  if (kind === 'dir') {
    const findings: HostConfigFinding[] = [];
    for (const host of hosts) findings.push(await checkHostInDirs([full], host, target, ''));
    return finish(full, 'hosts-dir', findings, [], []);
  }
  return checkConfigToml(full, hosts, target, { root: '', version: options.version });
}

function finish(
  path: string,
  kind: ConfigCheck['kind'],
  hosts: HostConfigFinding[],
  problems: string[],
  notes: string[],
): ConfigCheck {
  const ok = problems.length === 0 && hosts.every((h) => h.status === 'ok');
  return { path, kind, hosts, problems, notes, ok };
}

export async function exists(path: string): Promise<boolean> {
  return (await kindOf(path)) !== undefined;
}

async function checkHostInDirs(
  roots: readonly string[],
  host: string,
  target: MirrorTarget,
  nodeRoot: string,
): Promise<HostConfigFinding> {
  let dir: string | undefined;
  let name = '';
  search: for (const root of roots) {
    for (const candidate of hostDirCandidates(host)) {
      if ((await kindOf(join(root, candidate))) === 'dir') {
        dir = join(root, candidate);
        name = candidate;
        break search;
      }
    }
  }
  if (dir === undefined) {
    return {
      host,
      status: 'not-mirrored',
      problems: [
        `no folder for ${host} under ${roots.join(':')} (containerd looks for ${hostDirCandidates(host).join(', ')}): it pulls ${host} from upstream`,
      ],
      notes: [],
    };
  }
  const file = join(dir, 'hosts.toml');
  const text = (await kindOf(file)) === 'file' ? (await readLocalFile(file)).toString('utf8') : '';
  if (text === '') {
    return {
      host,
      status: 'not-mirrored',
      file,
      problems: [
        `${dir} has no hosts.toml: containerd only loads Docker-style certificates there and pulls from upstream`,
      ],
      notes: [],
    };
  }
  let analysis: HostAnalysis;
  try {
    analysis = analyzeHostsToml(host, parseToml(text, file), target, dir);
  } catch (err) {
    if (!isBmpackError(err, 'E_CONFIG_INVALID')) throw err;
    return {
      host,
      status: 'wrong',
      file,
      problems: [
        `containerd cannot parse it and ignores it (pulls then go upstream): ${err.message}`,
      ],
      notes: [],
    };
  }
  const problems = [...analysis.problems];
  const notes = [...analysis.notes];
  if (name === '_default') notes.push(`configured by ${dir} (containerd 1.6.17+ / 1.7+)`);
  for (const ca of analysis.caFiles) {
    if (await exists(rooted(nodeRoot, ca))) continue;
    const beside = join(dir, basename(ca));
    if (ca !== beside && (await exists(beside)))
      notes.push(
        `ca ${ca} is not on this machine; ${beside} is, and lands there once this folder is installed where the path says`,
      );
    else
      problems.push(
        `ca ${ca} does not exist: containerd fails every pull of ${host} while it is missing`,
      );
  }
  return {
    host,
    status: problems.length > 0 && analysis.status === 'ok' ? 'wrong' : analysis.status,
    file,
    ...passThrough(analysis),
    problems,
    notes,
  };
}

/** What the analysis says about where a node goes, for the finding. */
export function passThrough(
  a: HostAnalysis,
): Pick<HostConfigFinding, 'endpoint' | 'apiBase' | 'fallback' | 'tls'> {
  return {
    ...(a.endpoint !== undefined ? { endpoint: a.endpoint } : {}),
    ...(a.apiBase !== undefined ? { apiBase: a.apiBase } : {}),
    ...(a.fallback !== undefined ? { fallback: a.fallback } : {}),
    ...(a.tls !== undefined ? { tls: a.tls } : {}),
  };
}

async function checkConfigToml(
  file: string,
  hosts: readonly string[],
  target: MirrorTarget,
  at: { readonly root: string; readonly version: 2 | 3 | undefined },
): Promise<ConfigCheck> {
  const text = (await readLocalFile(file)).toString('utf8');
  const allHosts = (status: HostConfigStatus, problem: string): HostConfigFinding[] =>
    hosts.map((host) => ({ host, status, file, problems: [problem], notes: [] }));
  let doc;
  try {
    doc = parseToml(text, file);
  } catch (err) {
    if (!isBmpackError(err, 'E_CONFIG_INVALID')) throw err;
    return finish(
      file,
      'config-toml',
      allHosts('wrong', 'config.toml cannot be parsed'),
      [`containerd cannot start with it: ${err.message}`],
      [],
    );
  }
  const registry = criRegistryTable(doc);
  if (registry === undefined) {
    return finish(
      file,
      'config-toml',
      allHosts('not-mirrored', 'no CRI registry section'),
      [
        'no [plugins."io.containerd.grpc.v1.cri".registry] (or the 2.x "io.containerd.cri.v1.images") section: no registry is mirrored',
      ],
      [],
    );
  }
  const problems = [
    ...criRegistryProblems(registry.table),
    ...configVersionProblems(doc, registry.path, at.version),
  ];
  const notes = [`registry section: [${registry.path}]`];
  const roots = configPaths(registry.table);
  if (roots.length > 0) {
    notes.push(`config_path = "${roots.join(':')}": hosts.toml files there configure the mirrors`);
    const present: string[] = [];
    for (const root of roots)
      if ((await kindOf(rooted(at.root, root))) === 'dir') present.push(rooted(at.root, root));
    if (present.length === 0) {
      const why = `config_path ${roots.join(':')} does not exist on this machine; run the check where it does, or check a copy of that folder`;
      return finish(file, 'config-toml', allHosts('not-mirrored', why), problems, notes);
    }
    const findings: HostConfigFinding[] = [];
    for (const host of hosts) findings.push(await checkHostInDirs(present, host, target, at.root));
    return finish(file, 'config-toml', findings, problems, notes);
  }
  const findings: HostConfigFinding[] = [];
  for (const host of hosts) {
    const a = analyzeCriMirror(host, registry.table, target);
    const hostProblems = [...a.problems];
    for (const ca of a.caFiles)
      if (!(await exists(rooted(at.root, ca))))
        hostProblems.push(`ca_file ${ca} does not exist on this machine`);
    findings.push({
      host,
      status: hostProblems.length > 0 && a.status === 'ok' ? 'wrong' : a.status,
      file,
      ...passThrough(a),
      problems: hostProblems,
      notes: a.notes,
    });
  }
  return finish(file, 'config-toml', findings, problems, notes);
}
