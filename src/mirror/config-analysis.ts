/**
 * Reading containerd's mirror configuration the way containerd does, to
 * say whether a node would pull a host's images from our mirror: the
 * path rules of hosts.toml (`parseHostConfig`: `/v2` appended unless
 * override_path) and of the CRI `registry.mirrors` endpoints (path used
 * verbatim, `/v2` when empty); protocols.md §3. Pure: the caller reads
 * files and checks that CA files exist.
 */
import { posix } from 'node:path';
import type { MirrorTarget } from './mirror-target.js';
import { upstreamServer } from './mirror-target.js';
import { isTomlTable, tomlGet, tomlTableAt, type TomlTable, type TomlValue } from './toml-parse.js';

export type HostConfigStatus = 'ok' | 'not-mirrored' | 'wrong';

export interface HostAnalysis {
  readonly status: HostConfigStatus;
  /** The mirror entry as written, when one points at the mirror. */
  readonly endpoint?: string;
  readonly problems: string[];
  readonly notes: string[];
  /** CA files the entry names, made absolute as containerd does (relative to the hosts folder). */
  readonly caFiles: string[];
  /** The URL a repository's path goes below at the mirror (`https://H:P/v2/ns`), when an entry points there. */
  readonly apiBase?: string;
  /** Where the node goes when the mirror lacks an image. */
  readonly fallback?: string;
  /** The TLS settings towards the mirror, in words. */
  readonly tls?: string;
}

interface ParsedUrl {
  readonly scheme: string;
  readonly host: string;
  /** Cleaned path; '' for none (or '/'). */
  readonly path: string;
}

/** Go's path.Clean, minus its "." for empty input. */
function cleanPath(p: string): string {
  if (p === '' || p === '/') return '';
  const cleaned = posix.normalize(p).replace(/\/+$/, '');
  return cleaned === '' || cleaned === '.' ? '' : cleaned;
}

/** A URL as containerd reads a host or endpoint: no scheme means https. */
export function parseEndpointUrl(raw: string): ParsedUrl | undefined {
  const withScheme = raw.startsWith('http') ? raw : `https://${raw}`;
  try {
    const u = new URL(withScheme);
    return { scheme: u.protocol.replace(/:$/, ''), host: u.host, path: cleanPath(u.pathname) };
  } catch {
    return undefined;
  }
}

/** The API root a hosts.toml `[host."URL"]` gives (hosts.go parseHostConfig). */
export function hostsTomlApiRoot(path: string, overridePath: boolean): string {
  if (path === '') return overridePath ? '' : '/v2';
  return path.endsWith('/v2') || overridePath ? path : `${path}/v2`;
}

/** The API root a CRI `registry.mirrors` endpoint gives: verbatim, or /v2 when it has no path. */
export function criEndpointApiRoot(path: string): string {
  return path === '' ? '/v2' : path;
}

/** The TLS towards a mirror in words: plain HTTP, unverified, a CA file, or the system CAs. */
export function tlsWords(scheme: string, caFiles: readonly string[], skipVerify: boolean): string {
  if (scheme === 'http') return 'plain HTTP';
  if (skipVerify) return 'TLS, certificate not verified';
  return caFiles.length > 0 ? `TLS, CA ${caFiles.join(', ')}` : 'TLS, system CAs';
}

export function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function expectedEntry(target: MirrorTarget, form: 'hosts' | 'cri'): string {
  if (form === 'cri') return `endpoint = ["${target.endpoint}"]`;
  return `[host."${target.endpoint}"]${target.namespace !== '' ? ' with override_path = true' : ''}`;
}

/** Why requests through this URL miss the images push wrote, or nothing when they hit them. */
function pathProblems(
  url: ParsedUrl,
  overridePath: boolean,
  target: MirrorTarget,
  form: 'hosts' | 'cri',
): string[] {
  const effective =
    form === 'hosts' ? hostsTomlApiRoot(url.path, overridePath) : criEndpointApiRoot(url.path);
  if (effective === target.apiRoot) return [];
  const asks = `containerd asks ${effective}/<repository>/manifests/<tag>, but push put the images under ${target.apiRoot}/<repository>`;
  const fix = `write ${expectedEntry(target, form)}`;
  const ns = target.namespace;
  if (form === 'hosts' && !overridePath && url.path === target.apiRoot)
    return [`override_path = true is missing: ${asks}; add it`];
  if (ns !== '' && !`${url.path}/`.includes(`/${ns}/`))
    return [`the namespace path /v2/${ns} is missing: ${asks}; ${fix}`];
  if (!url.path.startsWith('/v2')) return [`/v2 is missing from the path: ${asks}; ${fix}`];
  return [`wrong path: ${asks}; ${fix}`];
}

function stringList(value: TomlValue | undefined): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

/**
 * One upstream's hosts.toml against the mirror. `hostDir` is the folder
 * it lives in (relative `ca` paths are relative to it).
 */
export function analyzeHostsToml(
  upstream: string,
  doc: TomlTable,
  target: MirrorTarget,
  hostDir: string,
): HostAnalysis {
  const problems: string[] = [];
  const notes: string[] = [];
  const caFiles: string[] = [];
  const server = tomlGet(doc, 'server');
  const fallback = typeof server === 'string' ? server : upstreamServer(upstream);
  const serverUrl = typeof server === 'string' ? parseEndpointUrl(server) : undefined;
  if (server === undefined) notes.push(`no server: containerd falls back to ${fallback}`);
  else if (serverUrl !== undefined && sameHost(serverUrl.host, target.registry))
    notes.push('server is the mirror itself: no fallback to the upstream registry');
  else notes.push(`falls back to ${fallback} when the mirror lacks an image`);

  const hostTable = tomlGet(doc, 'host');
  const entries = isTomlTable(hostTable)
    ? Object.entries(hostTable).filter((e): e is [string, TomlTable] => isTomlTable(e[1]))
    : [];
  if (entries.length === 0) {
    problems.push(`no [host."…"] entry: containerd pulls ${upstream} straight from ${fallback}`);
    return { status: 'not-mirrored', problems, notes, caFiles };
  }
  const index = entries.findIndex(([raw]) => {
    const u = parseEndpointUrl(raw);
    return u !== undefined && sameHost(u.host, target.registry);
  });
  const match = entries[index];
  if (match === undefined) {
    problems.push(
      `no [host."…"] entry points at ${target.registry} (wrong host or port?): it lists ${entries.map(([raw]) => raw).join(', ')}; ${expectedEntry(target, 'hosts')}`,
    );
    return { status: 'wrong', problems, notes, caFiles };
  }
  const [raw, entry] = match;
  const url = parseEndpointUrl(raw);
  if (url === undefined)
    return { status: 'wrong', problems: [`cannot parse ${raw}`], notes, caFiles };
  if (url.scheme !== target.scheme)
    problems.push(`${raw} uses ${url.scheme}, but the mirror speaks ${target.scheme}`);
  const override = tomlGet(entry, 'override_path');
  if (override !== undefined && typeof override !== 'boolean')
    problems.push('override_path must be true or false');
  problems.push(...pathProblems(url, override === true, target, 'hosts'));
  const caps = tomlGet(entry, 'capabilities');
  if (caps !== undefined) {
    const list = stringList(caps)?.map((c) => c.toLowerCase());
    if (list === undefined) problems.push('capabilities must be a list of strings');
    else {
      if (!list.includes('resolve'))
        problems.push(
          'capabilities lack "resolve": containerd does not ask this host for tags, so a pull by tag resolves upstream',
        );
      if (!list.includes('pull'))
        problems.push('capabilities lack "pull": containerd fetches nothing from this host');
    }
  }
  const ca = tomlGet(entry, 'ca');
  if (ca !== undefined) {
    const list = stringList(ca);
    if (list === undefined) problems.push('ca must be a path or a list of paths');
    else caFiles.push(...list.map((p) => (posix.isAbsolute(p) ? p : posix.join(hostDir, p))));
  }
  if (tomlGet(entry, 'skip_verify') === true)
    notes.push('skip_verify = true: the mirror certificate is not verified');
  const before = entries.slice(0, index).map(([r]) => r);
  if (before.length > 0) notes.push(`tried after ${before.join(', ')}`);
  const root = hostsTomlApiRoot(url.path, override === true);
  return {
    status: problems.length > 0 ? 'wrong' : 'ok',
    endpoint: raw,
    problems,
    notes,
    caFiles,
    apiBase: `${url.scheme}://${url.host}${root}`,
    fallback,
    tls: tlsWords(url.scheme, caFiles, tomlGet(entry, 'skip_verify') === true),
  };
}

/** The CRI plugin's registry table, for config versions 3, 2 and 1. */
export function criRegistryTable(doc: TomlTable): { table: TomlTable; path: string } | undefined {
  const candidates: ReadonlyArray<readonly string[]> = [
    ['plugins', 'io.containerd.cri.v1.images', 'registry'],
    ['plugins', 'io.containerd.grpc.v1.cri', 'registry'],
    ['plugins', 'cri', 'registry'],
  ];
  for (const path of candidates) {
    const table = tomlTableAt(doc, path);
    if (table !== undefined)
      return { table, path: path.map((p) => (p.includes('.') ? `"${p}"` : p)).join('.') };
  }
  return undefined;
}

/**
 * What the config's version means for the containerd that reads it
 * (docs/cri/config.md; RELEASES.md of 2.0): 1.x reads versions 1 and 2 and
 * refuses 3; 2.x migrates 2 to 3 on load, and in version 3 the registry
 * table is `plugins."io.containerd.cri.v1.images".registry`.
 */
export function configVersionProblems(
  doc: TomlTable,
  registryPath: string,
  version: 2 | 3 | undefined,
): string[] {
  const v = tomlGet(doc, 'version');
  const fileVersion = typeof v === 'number' ? v : 1;
  const v3Table = registryPath.includes('io.containerd.cri.v1.images');
  const problems: string[] = [];
  if (fileVersion === 3 && !v3Table)
    problems.push(
      `a version 3 config keeps the registry in [plugins."io.containerd.cri.v1.images".registry], not [${registryPath}]: containerd ignores it`,
    );
  if (fileVersion !== 3 && v3Table)
    problems.push(
      `[${registryPath}] belongs to config version 3, but the file says version ${fileVersion}`,
    );
  if (version === 2 && fileVersion === 3)
    problems.push('containerd 1.x does not read config version 3: write version 2 for it');
  return problems;
}

/** The roots named by `config_path` (a `:`-separated list), or [] when unset. */
export function configPaths(registry: TomlTable): string[] {
  const value = tomlGet(registry, 'config_path');
  return typeof value === 'string' ? value.split(':').filter((p) => p !== '') : [];
}

/** File-wide problems of a CRI registry table: the combinations containerd refuses. */
export function criRegistryProblems(registry: TomlTable): string[] {
  const problems: string[] = [];
  if (configPaths(registry).length === 0) return problems;
  const mirrors = tomlGet(registry, 'mirrors');
  if (isTomlTable(mirrors) && Object.keys(mirrors).length > 0)
    problems.push(
      'registry.mirrors is set together with config_path: containerd 1.6/1.7 refuse to start the CRI plugin ("`mirrors` cannot be set when `config_path` is provided"); remove registry.mirrors',
    );
  const configs = tomlGet(registry, 'configs');
  if (isTomlTable(configs)) {
    const withTls = Object.entries(configs).filter(
      ([, v]) => isTomlTable(v) && tomlGet(v, 'tls') !== undefined,
    );
    if (withTls.length > 0)
      problems.push(
        `registry.configs.*.tls is set together with config_path (${withTls.map(([k]) => k).join(', ')}): containerd 1.6/1.7 refuse to start the CRI plugin; put ca / skip_verify into hosts.toml instead`,
      );
  }
  return problems;
}

/** One upstream through the CRI `registry.mirrors` form. */
export function analyzeCriMirror(
  upstream: string,
  registry: TomlTable,
  target: MirrorTarget,
): HostAnalysis {
  const problems: string[] = [];
  const notes: string[] = [];
  const caFiles: string[] = [];
  const mirrors = tomlGet(registry, 'mirrors');
  const own = isTomlTable(mirrors) ? tomlGet(mirrors, upstream) : undefined;
  const wildcard = isTomlTable(mirrors) ? tomlGet(mirrors, '*') : undefined;
  const mirror = isTomlTable(own) ? own : isTomlTable(wildcard) ? wildcard : undefined;
  if (mirror === undefined) {
    problems.push(
      `no registry.mirrors."${upstream}": containerd pulls ${upstream} straight from ${upstreamServer(upstream)}`,
    );
    return { status: 'not-mirrored', problems, notes, caFiles };
  }
  if (!isTomlTable(own)) notes.push('mirrored through registry.mirrors."*"');
  const endpoints = stringList(tomlGet(mirror, 'endpoint'));
  if (endpoints === undefined || endpoints.length === 0) {
    problems.push(`registry.mirrors."${upstream}" has no endpoint list`);
    return { status: 'not-mirrored', problems, notes, caFiles };
  }
  const match = endpoints.find((e) => {
    const u = parseEndpointUrl(e);
    return u !== undefined && sameHost(u.host, target.registry);
  });
  if (match === undefined) {
    problems.push(
      `the endpoints ${endpoints.join(', ')} do not include ${target.registry} (wrong host or port?); ${expectedEntry(target, 'cri')}`,
    );
    return { status: 'wrong', problems, notes, caFiles };
  }
  const url = parseEndpointUrl(match);
  if (url === undefined)
    return { status: 'wrong', problems: [`cannot parse ${match}`], notes, caFiles };
  if (url.scheme !== target.scheme)
    problems.push(`${match} uses ${url.scheme}, but the mirror speaks ${target.scheme}`);
  problems.push(...pathProblems(url, false, target, 'cri'));
  const configs = tomlGet(registry, 'configs');
  const mirrorConfig = isTomlTable(configs) ? tomlGet(configs, url.host) : undefined;
  const tls = isTomlTable(mirrorConfig) ? tomlGet(mirrorConfig, 'tls') : undefined;
  if (isTomlTable(tls)) {
    const caFile = tomlGet(tls, 'ca_file');
    if (typeof caFile === 'string' && caFile !== '') caFiles.push(caFile);
    if (tomlGet(tls, 'insecure_skip_verify') === true)
      notes.push('insecure_skip_verify = true: the mirror certificate is not verified');
    notes.push('containerd 2.x ignores registry.configs.*.tls: use hosts.toml there');
  } else if (target.scheme === 'https') {
    notes.push(
      `no registry.configs."${url.host}".tls: the node's system CAs must trust the mirror certificate`,
    );
  }
  notes.push(`falls back to ${upstreamServer(upstream)} when the mirror lacks an image`);
  return {
    status: problems.length > 0 ? 'wrong' : 'ok',
    endpoint: match,
    problems,
    notes,
    caFiles,
    apiBase: `${url.scheme}://${url.host}${criEndpointApiRoot(url.path)}`,
    fallback: upstreamServer(upstream),
    tls: tlsWords(
      url.scheme,
      caFiles,
      isTomlTable(tls) && tomlGet(tls, 'insecure_skip_verify') === true,
    ),
  };
}
