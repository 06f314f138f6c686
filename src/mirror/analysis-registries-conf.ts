/**
 * Reading containers/image's registries.conf v2 the way CRI-O and podman do
 * (containers-registries.conf(5)): drop-ins in `registries.conf.d` are read
 * after the main file in name order, and a `[[registry]]` with the same
 * prefix replaces the earlier one; an image takes the `[[registry]]` with
 * the longest matching prefix (`prefix` defaults to `location`); each
 * `[[registry.mirror]]` replaces that prefix of the name by its `location`;
 * `insecure` allows plain HTTP and unverified TLS; `pull-from-mirror`
 * limits a mirror to tags or digests; `location` stays the fallback unless
 * `blocked`. Pure.
 */
import { tlsWords } from './config-analysis.js';
import { manifestUrl, splitLocation, type ImageName, type ImagePlan } from './image-plan.js';
import type { MirrorTarget } from './mirror-target.js';
import { isTomlTable, tomlGet, type TomlTable } from './toml-parse.js';

export interface RegistryEntry {
  readonly prefix: string;
  readonly table: TomlTable;
  /** The file it came from. */
  readonly file: string;
}

/** Every `[[registry]]` of the files, in reading order, later prefixes replacing earlier ones. */
export function registryEntries(
  docs: readonly { file: string; doc: TomlTable }[],
): RegistryEntry[] {
  const byPrefix = new Map<string, RegistryEntry>();
  for (const { file, doc } of docs) {
    const list = tomlGet(doc, 'registry');
    if (!Array.isArray(list)) continue;
    for (const table of list) {
      if (!isTomlTable(table)) continue;
      const prefix = tomlGet(table, 'prefix') ?? tomlGet(table, 'location');
      if (typeof prefix !== 'string' || prefix === '') continue;
      byPrefix.set(prefix, { prefix, table, file });
    }
  }
  return [...byPrefix.values()];
}

function locationOf(table: TomlTable): string {
  const loc = tomlGet(table, 'location');
  return typeof loc === 'string' ? loc : '';
}

function matches(prefix: string, name: string): boolean {
  if (prefix.startsWith('*.')) return (name.split('/')[0] ?? '').endsWith(prefix.slice(1));
  return (
    name === prefix ||
    name.startsWith(`${prefix}/`) ||
    name.startsWith(`${prefix}:`) ||
    name.startsWith(`${prefix}@`)
  );
}

/** One image through the entries: which mirror, which fallback, which TLS. */
export function planRegistriesConf(
  entries: readonly RegistryEntry[],
  image: ImageName,
  target: MirrorTarget,
  certsDir: (host: string) => string,
): ImagePlan {
  const name = `${image.registry}/${image.repository}`;
  const notes: string[] = [];
  const problems: string[] = [];
  const entry = entries
    .filter((e) => matches(e.prefix, name))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (entry === undefined)
    return {
      status: 'not-mirrored',
      problems: [`no [[registry]] prefix matches ${name}: it is pulled from ${image.registry}`],
      notes,
      caFiles: [],
    };
  const rest = name.slice(entry.prefix.length);
  const location = tomlGet(entry.table, 'location');
  const blocked = tomlGet(entry.table, 'blocked') === true;
  const fallback = blocked
    ? undefined
    : `${typeof location === 'string' && location !== '' ? location : entry.prefix}${rest}`;
  if (blocked) notes.push(`prefix ${entry.prefix} is blocked: no fallback`);
  const mirrors = tomlGet(entry.table, 'mirror');
  const list = Array.isArray(mirrors) ? mirrors.filter(isTomlTable) : [];
  const index = list.findIndex(
    (m) => splitLocation(locationOf(m)).host.toLowerCase() === target.registry.toLowerCase(),
  );
  const mirror = list[index];
  if (mirror === undefined) {
    problems.push(
      `[[registry]] prefix "${entry.prefix}" (${entry.file}) has no [[registry.mirror]] at ${target.registry}`,
    );
    return {
      status: list.length > 0 ? 'wrong' : 'not-mirrored',
      problems,
      notes,
      caFiles: [],
      ...(fallback !== undefined ? { fallback } : {}),
    };
  }
  const mirrorAt = locationOf(mirror);
  const loc = splitLocation(mirrorAt);
  const repository = `${loc.path}${rest}`.replace(/^\//, '');
  const insecure =
    tomlGet(mirror, 'insecure') === true || tomlGet(entry.table, 'insecure') === true;
  if (target.scheme === 'http' && !insecure)
    problems.push(
      `the mirror speaks plain HTTP, but insecure = true is not set: the node tries HTTPS only and falls back to ${fallback ?? 'nothing'}`,
    );
  const only = tomlGet(mirror, 'pull-from-mirror');
  const byDigest = image.reference.startsWith('sha256:');
  if ((only === 'digest-only' && !byDigest) || (only === 'tag-only' && byDigest))
    problems.push(`pull-from-mirror = "${only}": the mirror is skipped for ${image.reference}`);
  if (tomlGet(entry.table, 'mirror-by-digest-only') === true && !byDigest)
    problems.push('mirror-by-digest-only = true: the mirror is skipped for tags');
  if (index > 0) notes.push(`tried after ${list.slice(0, index).map(locationOf).join(', ')}`);
  const ca = `${certsDir(loc.host)}/ca.crt`;
  const scheme = insecure && target.scheme === 'http' ? 'http' : 'https';
  return {
    status: problems.length > 0 ? 'wrong' : 'ok',
    endpoint: mirrorAt,
    asks: manifestUrl(`${scheme}://${loc.host}/v2`, repository, image.reference),
    ...(fallback !== undefined ? { fallback } : {}),
    tls: insecure
      ? 'insecure = true: plain HTTP allowed, certificate not verified'
      : tlsWords('https', [ca], false),
    problems,
    notes,
    caFiles: [],
    ...(insecure ? {} : { optionalCa: ca }),
  };
}
