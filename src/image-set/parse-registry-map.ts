/**
 * The registry-keyed YAML that `skopeo sync --src yaml` and mindthegap's
 * `--images-file` read, so that existing lists work unchanged:
 *
 *   registry.example.com:
 *     images:
 *       redis: ["1.0", "sha256:…"]       # repository → tags and/or digests
 *     tls-verify: false                  # skopeo (mindthegap: tlsVerify)
 *     cert-dir: /etc/certs               # skopeo
 *     credentials: {username: …, password: …}
 *
 * bmpack bundles exactly what the file names, so the forms that ask a
 * registry what to take (an empty tag list, which both tools read as every
 * tag, `images-by-tag-regex`, `images-by-semver`) are errors. Connection
 * settings are read but not used: registry access comes from bmpack's own
 * flags and Docker config, and the file says so through warnings.
 */
import { isSeq, type Node } from 'yaml';
import { parseEntryReference } from './entry-reference.js';
import type { ImageSetEntry } from './image-set.js';
import type { MapField, YamlSource } from './yaml-source.js';

export interface RegistryMap {
  readonly images: readonly ImageSetEntry[];
  readonly warnings: readonly string[];
}

const listTagsHint =
  'bmpack bundles exactly the images a manifest names: list each tag or digest explicitly, e.g. redis: ["7.2.4", "sha256:…"].';
const shapeHint =
  'In a skopeo-sync or mindthegap file each registry has "images:", a mapping of repository to a list of tags or digests.';

/**
 * Settings the file may carry that bmpack does not take from it, and where
 * bmpack takes them from instead (in words: the commands' flags differ).
 */
const unsupported: Readonly<Record<string, string>> = {
  'tls-verify': "the command's TLS settings",
  tlsVerify: "the command's TLS settings",
  'cert-dir': "the command's CA settings",
  credentials: "the command's credentials or the Docker config",
};

/** Forms that select tags by asking the registry: refused, see the module comment. */
const selectors: readonly string[] = ['images-by-tag-regex', 'images-by-semver'];

/**
 * skopeo tries each item as a digest first (go-digest's `algorithm:hex`) and
 * then as a tag; a tag can never contain ":", so this is the same test.
 */
const looksLikeDigest = (item: string): boolean => item.includes(':');

function repositoryImages(
  source: YamlSource,
  registry: string,
  repository: string,
  repositoryKey: Node,
  value: Node | undefined,
): ImageSetEntry[] {
  const named = `${registry}/${repository}`;
  const list = source.value(value);
  if (list === undefined || (isSeq(list) && list.items.length === 0)) {
    source.fail(
      repositoryKey,
      `no tags listed for ${named}: skopeo and mindthegap read that as every tag in the repository`,
      { hint: listTagsHint, entry: named },
    );
  }
  const { items } = source.list(list, `the tags of ${named}`, {
    hint: listTagsHint,
    entry: named,
  });
  return items.map((item) => {
    const tag = source.string(item, `a tag of ${named}`, { hint: listTagsHint, entry: named });
    const written = looksLikeDigest(tag) ? `${named}@${tag}` : `${named}:${tag}`;
    const origin = source.at(item);
    return { ref: parseEntryReference(written, origin), source: written, origin };
  });
}

export function parseRegistryMap(source: YamlSource): RegistryMap {
  const images: ImageSetEntry[] = [];
  const warnings: string[] = [];
  const registries = source.fields(source.root, {
    what: 'the registry list',
    optional: [],
    hint: shapeHint,
    open: true,
  });
  for (const [registry, { key, value }] of registries) {
    const at = source.at(key);
    const settings = source.fields(value, {
      what: `registry ${registry}`,
      optional: ['images', ...selectors, ...Object.keys(unsupported)],
      hint: shapeHint,
      near: key,
      allowEmpty: true,
    });
    for (const [name, field] of settings) {
      const instead = unsupported[name];
      if (instead !== undefined) {
        const line = source.at(field.key).line;
        warnings.push(
          `${source.file}:${line}: ${name} for ${registry} is not supported and is ignored; use ${instead} instead`,
        );
      }
      if (selectors.includes(name)) {
        source.fail(field.key, `${name} is not supported: it picks tags by asking the registry`, {
          hint: listTagsHint,
          entry: `${name}: ${source.written(source.value(field.value))}`,
        });
      }
    }
    const imagesField = settings.get('images');
    const repositories =
      imagesField === undefined || source.value(imagesField.value) === undefined
        ? new Map<string, MapField>()
        : source.fields(imagesField.value, {
            what: `the images of ${registry}`,
            optional: [],
            hint: shapeHint,
            open: true,
          });
    if (repositories.size === 0) {
      warnings.push(`${at.file}:${at.line}: registry ${registry} lists no images`);
    }
    for (const [repository, field] of repositories) {
      images.push(...repositoryImages(source, registry, repository, field.key, field.value));
    }
  }
  return { images, warnings };
}
