/**
 * bmpack.json read back (docs/bundle-format.md §3): every field checked by
 * type guards and copied into a fresh object, so that nothing unchecked
 * reaches the push. Unknown fields are ignored, as the format asks of
 * readers; another `format` is refused. Pure.
 */
import {
  bundleFormat,
  type BundleBlobRecord,
  type BundleImageRecord,
  type BundleMetadata,
} from './bundle-metadata.js';
import { describeValue, isDigest, isRecord } from '../oci/descriptor.js';
import { ArchiveFormatError } from './format-error.js';
import { isReferrerKind, referrerKinds, type ReferrerLink } from '../oci/referrer-kinds.js';

/** bmpack.json claims a format this reader does not know. */
export class UnsupportedBundleFormat extends ArchiveFormatError {}

type Fields = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new ArchiveFormatError(`bmpack.json: ${where} ${what}`);
}

function record(value: unknown, where: string): Fields {
  if (!isRecord(value)) fail(where, 'is not an object');
  return value;
}

function str(o: Fields, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${where}.${key}`, 'is not a string');
  return v;
}

function count(o: Fields, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(`${where}.${key}`, 'is not a non-negative integer');
  }
  return v;
}

function digest(o: Fields, key: string, where: string): string {
  const v = o[key];
  if (!isDigest(v)) fail(`${where}.${key}`, 'is not a digest');
  return v;
}

function array(o: Fields, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(`${where}.${key}`, 'is not an array');
  return v;
}

const kinds = ['index', 'manifest', 'config', 'layer'] as const;

function isKind(v: unknown): v is BundleBlobRecord['kind'] {
  return kinds.some((k) => k === v);
}

function imageRecord(value: unknown, where: string): BundleImageRecord {
  const o = record(value, where);
  const platforms = array(o, 'platforms', where).map((p, i) => {
    if (typeof p !== 'string') fail(`${where}.platforms[${i}]`, 'is not a string');
    return p;
  });
  return {
    ref: str(o, 'ref', where),
    digest: digest(o, 'digest', where),
    mediaType: str(o, 'mediaType', where),
    size: count(o, 'size', where),
    platforms,
    ...(o.originalIndexDigest !== undefined
      ? { originalIndexDigest: digest(o, 'originalIndexDigest', where) }
      : {}),
    bytes: count(o, 'bytes', where),
    ...(o.referrer !== undefined
      ? { referrer: referrerLink(o.referrer, `${where}.referrer`) }
      : {}),
  };
}

function referrerLink(value: unknown, where: string): ReferrerLink {
  const o = record(value, where);
  const kind = o.kind;
  if (!isReferrerKind(kind)) fail(`${where}.kind`, `is not one of ${referrerKinds.join(', ')}`);
  const via = o.via;
  if (via !== 'tag' && via !== 'subject') fail(`${where}.via`, 'is not tag or subject');
  return {
    of: str(o, 'of', where),
    subject: digest(o, 'subject', where),
    kind,
    ...(o.artifactType !== undefined ? { artifactType: str(o, 'artifactType', where) } : {}),
    via,
    ...(o.predicateTypes !== undefined
      ? { predicateTypes: strings(array(o, 'predicateTypes', where), `${where}.predicateTypes`) }
      : {}),
  };
}

function strings(values: readonly unknown[], where: string): string[] {
  return values.map((v, i) => {
    if (typeof v !== 'string') fail(`${where}[${i}]`, 'is not a string');
    return v;
  });
}

function blobRecord(value: unknown, where: string): BundleBlobRecord {
  const o = record(value, where);
  const kind = o.kind;
  if (!isKind(kind)) fail(`${where}.kind`, `is not one of ${kinds.join(', ')}`);
  return {
    digest: digest(o, 'digest', where),
    size: count(o, 'size', where),
    mediaType: str(o, 'mediaType', where),
    kind,
  };
}

/** The metadata of a bundle, from the parsed JSON of its bmpack.json. */
export function parseBundleMetadata(value: unknown): BundleMetadata {
  const o = record(value, 'the document');
  const format = o.format;
  if (format !== bundleFormat) {
    throw new UnsupportedBundleFormat(
      `bmpack.json: format ${describeValue(format)} is not ${bundleFormat}`,
    );
  }
  const tool = record(o.tool, 'tool');
  if (tool.name !== 'bmpack') fail('tool.name', 'is not "bmpack"');
  const totals = record(o.totals, 'totals');
  const base = o.base === undefined ? undefined : record(o.base, 'base');
  return {
    format,
    tool: { name: 'bmpack', version: str(tool, 'version', 'tool') },
    name: str(o, 'name', 'the document'),
    version: str(o, 'version', 'the document'),
    ...(base !== undefined
      ? {
          base: {
            name: str(base, 'name', 'base'),
            version: str(base, 'version', 'base'),
            sha256: str(base, 'sha256', 'base'),
          },
        }
      : {}),
    ...(o.created !== undefined ? { created: str(o, 'created', 'the document') } : {}),
    images: array(o, 'images', 'the document').map((v, i) => imageRecord(v, `images[${i}]`)),
    blobs: array(o, 'blobs', 'the document').map((v, i) => blobRecord(v, `blobs[${i}]`)),
    totals: {
      images: count(totals, 'images', 'totals'),
      blobs: count(totals, 'blobs', 'totals'),
      bytes: count(totals, 'bytes', 'totals'),
      dedupedBytes: count(totals, 'dedupedBytes', 'totals'),
    },
  };
}
