/**
 * Read the manifests named on the command line and merge them into one
 * release (merge rules in merge-image-sets.ts).
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { BmpackError, type ErrorReason } from '../errors.js';
import type { ImageSet } from './image-set.js';
import { mergeImageSetFiles } from './merge-image-sets.js';
import type { ImageSetFile } from './image-set.js';
import { parseImageSetFile } from './parse-image-set.js';

function readHint(code: unknown): string {
  switch (code) {
    case 'ENOENT':
      return 'Check the path of the image list; relative paths start from the current directory.';
    case 'EACCES':
    case 'EPERM':
      return 'The file is not readable by this user: fix its permissions or run as a user who can read it.';
    case 'EISDIR':
      return 'Give an image list file, not a directory; name each file of several.';
    default:
      return 'Check that the file exists and is readable.';
  }
}

function readReason(code: unknown): { reason?: ErrorReason } {
  if (code === 'ENOENT') return { reason: 'image-list-unreadable' };
  return code === 'EISDIR' ? { reason: 'image-list-is-directory' } : {};
}

/** `-` names standard input, as with kubectl -f and skopeo sync. */
export const stdinName = '-';
const stdinLabel = 'standard input';

async function readManifest(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  try {
    return file === stdinName ? await text(stdin) : await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BmpackError('E_IO', `cannot read manifest ${file}: ${(err as Error).message}`, {
      hint: readHint(code),
      ...readReason(code),
      cause: err,
      details: { file, ...(typeof code === 'string' ? { errno: code } : {}) },
    });
  }
}

/**
 * Read, parse and merge the manifests, in the order given.
 * @throws BmpackError E_IO when a file cannot be read, E_IMAGESET_INVALID
 * ("FILE:LINE: …") when one is wrong or two disagree on the version.
 */
export async function loadImageSets(
  files: readonly string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ImageSet> {
  if (files.filter((f) => f === stdinName).length > 1) {
    throw new BmpackError('E_USAGE', 'standard input (-) is named twice as an image list', {
      hint: 'Standard input can be read once: name it once, and the other lists by their files.',
      reason: 'image-list-stdin-twice',
    });
  }
  const parsed: ImageSetFile[] = [];
  // One at a time: manifests are small, and the first bad file is the one reported.
  for (const file of files) {
    const name = file === stdinName ? stdinLabel : file;
    parsed.push(parseImageSetFile(await readManifest(file, stdin), name));
  }
  return mergeImageSetFiles(parsed);
}
