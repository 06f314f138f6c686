/**
 * bmpack's own manifest, a Kubernetes-style document:
 *
 *   apiVersion: bmpack.io/v1
 *   kind: ImageSet
 *   metadata: { name: example, version: 1.0.0 }
 *   spec:
 *     platforms: [linux/amd64]          # optional default for every image
 *     referrers: [signature, sbom]      # optional: all (default), none, or kinds
 *     images:
 *       - registry.k8s.io/pause:3.10
 *       - ref: registry.k8s.io/etcd:3.5.15-0
 *         platforms: [linux/amd64, linux/arm64]
 *       - ref: quay.io/x/y@sha256:…        # pinned: its index is kept whole…
 *         strictPlatforms: true           # …unless this asks to fail instead
 *
 * Read strictly: it decides what goes into a release, so a misspelt key or a
 * stray value is an error rather than something silently ignored.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { PlatformSpec } from '../oci/platform.js';
import { parseEntryPlatforms } from './entry-platforms.js';
import { parseEntryReference } from './entry-reference.js';
import type { ImageSetEntry, ReferrerChoice, SourcePosition } from './image-set.js';
import { isReferrerKind, referrerKinds } from '../oci/referrer-kinds.js';
import type { MapField, YamlSource } from './yaml-source.js';

export const imageSetApiVersion = 'bmpack.io/v1';
export const imageSetKind = 'ImageSet';

export interface BmpackImageSet {
  readonly name: string;
  readonly version: string;
  /** Where metadata.version is written, to point at both files when two disagree. */
  readonly versionAt: SourcePosition;
  readonly platforms?: readonly PlatformSpec[];
  readonly referrers?: ReferrerChoice;
  readonly images: readonly ImageSetEntry[];
}

const shapeHint = `A bmpack ImageSet has apiVersion: ${imageSetApiVersion}, kind: ${imageSetKind}, metadata (name, version) and spec (images, optional platforms).`;
const imagesHint =
  'List each image under spec.images as a reference (registry.k8s.io/pause:3.10) or as {ref: …, platforms: [os/arch, …]}.';
const platformsHint =
  'Give platforms as a non-empty list such as [linux/amd64, linux/arm64]; leave the key out to use the default.';

/** An RFC 1123 label, as Kubernetes object names: it ends up in file and directory names. */
const nameRegexp = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The version becomes part of `bmpackages_<version>.tar.xz`: no path
 * separators, whitespace, shell or Windows-reserved characters, no leading
 * "." or "-" (hidden files, options) and no trailing "." (Windows drops it).
 */
const versionRegexp = /^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,126}[A-Za-z0-9_+-])?$/;

function platformList(
  source: YamlSource,
  field: MapField,
  what: string,
  entry: string | undefined,
): PlatformSpec[] {
  const { value: node, key: near } = field;
  const { seq, items } = source.list(node, what, { hint: platformsHint, entry, near });
  const written = items.map((item) => ({
    text: source.string(item, `a platform in ${what}`, { hint: platformsHint, entry, near: seq }),
    at: source.at(item),
  }));
  return parseEntryPlatforms(written, entry);
}

/** `strictPlatforms: true|false` (the failsafe schema reads every scalar as a string). */
function flag(
  source: YamlSource,
  field: { key: Node; value: Node | undefined },
  entry: string,
): boolean {
  const hint = 'strictPlatforms is true or false.';
  const text = source.string(field.value, 'strictPlatforms', { hint, entry, near: field.key });
  if (text !== 'true' && text !== 'false')
    source.fail(field.value, 'strictPlatforms must be true or false', { hint, entry });
  return text === 'true';
}

function imageEntry(source: YamlSource, written: Node): ImageSetEntry {
  const item = source.value(written);
  if (item === undefined) {
    source.fail(written, 'spec.images has an empty entry', { hint: imagesHint });
  }
  const entry = source.written(item);
  if (isScalar(item)) {
    const text = source.string(item, 'the image', { hint: imagesHint, entry });
    const origin = source.at(item);
    return { ref: parseEntryReference(text, origin), source: text, origin };
  }
  if (!isMap(item)) {
    source.fail(item, 'an image must be a reference or a mapping with ref and platforms', {
      hint: imagesHint,
      entry,
    });
  }
  const fields = source.fields(item, {
    what: 'the image entry',
    entry,
    required: ['ref'],
    optional: ['platforms', 'strictPlatforms'],
    hint: imagesHint,
  });
  const refField = fields.get('ref');
  const refNode = refField?.value;
  const text = source.string(refNode, 'ref', { hint: imagesHint, entry, near: refField?.key });
  const origin = source.at(item);
  const ref = parseEntryReference(text, source.at(refNode), entry);
  const strict = fields.get('strictPlatforms');
  const strictPlatforms =
    strict === undefined ? {} : { strictPlatforms: flag(source, strict, entry) };
  const platformsField = fields.get('platforms');
  if (platformsField === undefined) return { ref, source: text, origin, ...strictPlatforms };
  const platforms = platformList(source, platformsField, 'platforms', entry);
  return { ref, source: text, origin, platforms, ...strictPlatforms };
}

export function parseBmpackImageSet(source: YamlSource): BmpackImageSet {
  const root = source.root;
  const top = source.fields(root, {
    what: 'the ImageSet',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    hint: shapeHint,
  });

  const apiVersionNode = top.get('apiVersion')?.value;
  const apiVersion = source.string(apiVersionNode, 'apiVersion', {
    hint: shapeHint,
    near: top.get('apiVersion')?.key,
  });
  if (apiVersion !== imageSetApiVersion) {
    source.fail(apiVersionNode, `apiVersion must be ${imageSetApiVersion}`, {
      hint: shapeHint,
      entry: apiVersion,
    });
  }
  const kindNode = top.get('kind')?.value;
  const kind = source.string(kindNode, 'kind', { hint: shapeHint, near: top.get('kind')?.key });
  if (kind !== imageSetKind) {
    source.fail(kindNode, `kind must be ${imageSetKind}`, { hint: shapeHint, entry: kind });
  }

  const metadata = source.fields(top.get('metadata')?.value, {
    near: top.get('metadata')?.key,
    what: 'metadata',
    required: ['name', 'version'],
    hint: 'metadata needs a name (lowercase letters, digits and "-") and a version (e.g. 1.0.0).',
  });
  const nameNode = metadata.get('name')?.value;
  const nameHint =
    'metadata.name is a DNS label: up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.';
  const name = source.string(nameNode, 'metadata.name', {
    hint: nameHint,
    near: metadata.get('name')?.key,
  });
  if (!nameRegexp.test(name)) {
    source.fail(nameNode, 'metadata.name is not a valid name', { hint: nameHint, entry: name });
  }
  const versionKey = metadata.get('version')?.key;
  const versionNode = metadata.get('version')?.value;
  const versionHint =
    'metadata.version names the bundle file (bmpackages_<version>.tar.xz): use letters, digits, ".", "_", "+" and "-", e.g. 1.0.0 or 2024.06-rc1; start with a letter or digit and do not end with ".".';
  const version = source.string(versionNode, 'metadata.version', {
    hint: versionHint,
    near: versionKey,
  });
  if (!versionRegexp.test(version)) {
    source.fail(versionNode, 'metadata.version is not safe in a file name', {
      hint: versionHint,
      entry: version,
    });
  }

  const spec = source.fields(top.get('spec')?.value, {
    near: top.get('spec')?.key,
    what: 'spec',
    required: ['images'],
    optional: ['platforms', 'referrers'],
    hint: shapeHint,
  });
  const platformsField = spec.get('platforms');
  const platforms =
    platformsField === undefined
      ? undefined
      : platformList(source, platformsField, 'spec.platforms', undefined);

  const referrersField = spec.get('referrers');
  const referrers =
    referrersField === undefined ? undefined : referrerChoice(source, referrersField);

  const imagesField = spec.get('images');
  const { items } = source.list(imagesField?.value, 'spec.images', {
    hint: imagesHint,
    near: imagesField?.key,
  });
  const images = items.map((item) => imageEntry(source, item));

  return {
    name,
    version,
    versionAt: source.at(versionNode ?? versionKey),
    ...(platforms === undefined ? {} : { platforms }),
    ...(referrers === undefined ? {} : { referrers }),
    images,
  };
}

const referrersHint = `spec.referrers is all, none, or a list of kinds: ${referrerKinds.join(', ')}.`;

/** `spec.referrers`: `all`, `none`, or a list of kinds. */
function referrerChoice(source: YamlSource, field: MapField): ReferrerChoice {
  const { value: node, key: near } = field;
  if (isScalar(source.value(node))) {
    const text = source.string(node, 'spec.referrers', { hint: referrersHint, near });
    if (text === 'none') return 'none';
    if (text === 'all') return referrerKinds;
    source.fail(node, 'spec.referrers must be all, none or a list of kinds', {
      hint: referrersHint,
      entry: text,
    });
  }
  const { seq, items } = source.list(node, 'spec.referrers', { hint: referrersHint, near });
  return items.map((item) => {
    const text = source.string(item, 'a kind in spec.referrers', {
      hint: referrersHint,
      near: seq,
    });
    if (!isReferrerKind(text))
      source.fail(item, `spec.referrers names an unknown kind`, {
        hint: referrersHint,
        entry: text,
      });
    return text;
  });
}
