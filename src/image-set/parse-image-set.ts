/**
 * One manifest file, whatever its format (see detect-format.ts), read into
 * the same shape. Pure: the caller reads the file.
 */
import { basename, extname } from 'node:path';
import { detectFormat } from './detect-format.js';
import { imageSetError } from './image-set-error.js';
import type { ImageSet, ImageSetFile } from './image-set.js';
import { mergeImageSetFiles } from './merge-image-sets.js';
import { parseBmpackImageSet } from './parse-bmpack-image-set.js';
import { parsePlainList } from './parse-plain-list.js';
import { parseRegistryMap } from './parse-registry-map.js';

/** The version of a file that does not state one. */
export const unversioned = 'unversioned';

/** One file as read, before merging: what merging needs to know beyond the ImageSet. */
const noImagesHint =
  'List at least one image: one reference per line (registry.k8s.io/pause:3.10), or under spec.images in a bmpack ImageSet.';

/** `images-1.2.txt` → `images-1.2`. */
const baseName = (file: string): string => basename(file, extname(file)) || basename(file);

/**
 * Read one manifest file's text.
 * @throws BmpackError E_IMAGESET_INVALID "FILE:LINE: …" for anything wrong in it.
 */
export function parseImageSetFile(text: string, file: string): ImageSetFile {
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const detected = detectFormat(content, file);
  let parsed: ImageSetFile;
  switch (detected.format) {
    case 'empty':
      throw imageSetError({ file, line: 1 }, 'the file lists no images', { hint: noImagesHint });
    case 'plain-list':
      parsed = {
        file,
        format: 'plain-list',
        name: baseName(file),
        version: unversioned,
        images: parsePlainList(content, file),
        warnings: [],
      };
      break;
    case 'registry-map':
      parsed = {
        file,
        format: 'registry-map',
        name: baseName(file),
        version: unversioned,
        ...parseRegistryMap(detected.source),
      };
      break;
    case 'bmpack-image-set':
      parsed = {
        file,
        format: 'bmpack-image-set',
        warnings: [],
        ...parseBmpackImageSet(detected.source),
      };
      break;
  }
  if (parsed.images.length === 0) {
    throw imageSetError({ file, line: 1 }, 'the file lists no images', { hint: noImagesHint });
  }
  return parsed;
}

/**
 * Read one manifest into an ImageSet: the format is detected from the
 * content, and an image listed twice is kept once (see merge-image-sets.ts).
 * @throws BmpackError E_IMAGESET_INVALID "FILE:LINE: …" for anything wrong in it.
 */
export function parseImageSet(text: string, file: string): ImageSet {
  return mergeImageSetFiles([parseImageSetFile(text, file)]);
}
