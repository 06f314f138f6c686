/**
 * Which of the three manifest formats a file is, from its content: release
 * engineers name files freely (images.txt, images.yaml, release-1.2), so the
 * extension proves nothing.
 *
 * 1. Plain list: every line that is not blank or a comment is a single word
 *    (a reference has no whitespace) not ending in ":" and not YAML syntax
 *    ("---", "%", "{"). This is decided before any YAML parsing because a
 *    list of references is also valid YAML (one multi-line string), and a
 *    line such as "[::1]:5000/app:1" is not.
 * 2. Otherwise the file is parsed as YAML. A top-level mapping with a key
 *    of an ImageSet (apiVersion, kind, metadata, spec, or the images,
 *    platforms, name or version someone put at the top level; in any case)
 *    is a bmpack ImageSet, so that a near miss gets the ImageSet's errors.
 * 3. Any other top-level mapping is a skopeo-sync / mindthegap registry map.
 *
 * A YAML file whose top level is a single string was a plain list with a bad
 * line ("nginx :1.27"); it is read as one so that the error names the line.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { imageSetError } from './image-set-error.js';
import { plainListLines } from './parse-plain-list.js';
import { YamlSource } from './yaml-source.js';

export type DetectedFormat =
  | { readonly format: 'plain-list' }
  | { readonly format: 'empty' }
  | { readonly format: 'bmpack-image-set' | 'registry-map'; readonly source: YamlSource };

/**
 * Keys that only an ImageSet (or an attempt at one) has at the top level. A
 * registry host is never called "images", so a file that starts with
 * `images:` gets the ImageSet's errors, which say what is missing.
 */
const imageSetKeys: ReadonlySet<string> = new Set([
  'apiversion',
  'kind',
  'metadata',
  'spec',
  'name',
  'version',
  'images',
  'platforms',
]);

function looksLikePlainList(text: string): boolean {
  return plainListLines(text).every(
    ({ content }) =>
      !/\s/.test(content) && !content.endsWith(':') && !/^(---|\.\.\.|%|\{)/.test(content),
  );
}

export function detectFormat(text: string, file: string): DetectedFormat {
  if (looksLikePlainList(text)) return { format: 'plain-list' };
  const source = YamlSource.parse(text, file);
  const root = source.root;
  if (root === undefined) return { format: 'empty' };
  if (isScalar(root)) return { format: 'plain-list' };
  if (isSeq(root)) {
    throw imageSetError(source.at(root), 'a YAML list at the top level is not a manifest format', {
      hint: 'Use a bmpack ImageSet (apiVersion: bmpack.io/v1, kind: ImageSet, images under spec.images), a plain list with one image per line, or a skopeo-sync / mindthegap file (registry → images → repository → tags).',
    });
  }
  const keys = isMap(root)
    ? root.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value).toLowerCase() : ''))
    : [];
  const isImageSet = keys.some((key) => imageSetKeys.has(key));
  return { format: isImageSet ? 'bmpack-image-set' : 'registry-map', source };
}
