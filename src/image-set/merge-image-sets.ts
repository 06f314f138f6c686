/**
 * Several manifests (`--manifest a --manifest b`) make one release.
 *
 * - Images keep the order in which they are first listed. The same image
 *   (equal `formatReference` of the normalised reference) is kept once, with
 *   the first occurrence's source and origin.
 * - Name and version come from the first bmpack ImageSet, else from the first
 *   file. Two ImageSets with different versions are an error: the version
 *   names the bundle, and a silent pick would ship the wrong one.
 * - The default platforms come from the first file that sets them. A file
 *   whose own default differs keeps it: its entries without platforms get
 *   that default as entry-level platforms, so merging never changes what a
 *   file asked for. Entries from files without a default (plain lists,
 *   skopeo-sync files) take the merged default.
 * - An image listed twice gets the union of what each occurrence asks for,
 *   where an occurrence without platforms asks for the default platforms.
 *   When no file sets a default, that default is only known when the bundle
 *   is made (a command-line flag, or all platforms), so the occurrence
 *   without platforms wins: the image keeps no entry-level platforms, the
 *   bundle's default applies, and a warning says so. Taking only the listed
 *   platforms instead would drop what the other occurrence asked for without
 *   saying so.
 */
import { BmpackError } from '../errors.js';
import { formatPlatform, type PlatformSpec } from '../oci/platform.js';
import { formatReference } from '../reference/index.js';
import { imageSetError } from './image-set-error.js';
import type {
  ImageSet,
  ImageSetEntry,
  ImageSetFile,
  ReferrerChoice,
  SourcePosition,
} from './image-set.js';

const where = (at: SourcePosition): string => `${at.file}:${at.line}`;

function samePlatforms(
  a: readonly PlatformSpec[] | undefined,
  b: readonly PlatformSpec[] | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  const left = new Set(a.map(formatPlatform));
  const right = new Set(b.map(formatPlatform));
  return left.size === right.size && [...left].every((p) => right.has(p));
}

function union(a: readonly PlatformSpec[], b: readonly PlatformSpec[]): PlatformSpec[] {
  const seen = new Set(a.map(formatPlatform));
  return [...a, ...b.filter((p) => !seen.has(formatPlatform(p)))];
}

interface Merging {
  readonly first: ImageSetEntry;
  /** Undefined: the merged default applies. */
  platforms: readonly PlatformSpec[] | undefined;
}

function checkVersions(files: readonly ImageSetFile[], header: ImageSetFile): void {
  for (const f of files) {
    if (f.format !== 'bmpack-image-set' || f.version === header.version) continue;
    const headerAt = header.versionAt ?? { file: header.file, line: 1 };
    throw imageSetError(
      f.versionAt ?? { file: f.file, line: 1 },
      `version ${JSON.stringify(f.version)} differs from version ${JSON.stringify(header.version)} in ${where(headerAt)}`,
      {
        entry: f.version,
        hint: 'Manifests bundled together must give the same metadata.version (it names the bundle): make them agree, or bundle them separately.',
      },
    );
  }
}

export function mergeImageSetFiles(files: readonly ImageSetFile[]): ImageSet {
  const [first] = files;
  if (first === undefined) {
    throw new BmpackError('E_USAGE', 'no manifest given', {
      hint: 'Name at least one image list.',
      reason: 'image-list-missing',
      cause: new Error('empty manifest list'),
    });
  }
  const header = files.find((f) => f.format === 'bmpack-image-set') ?? first;
  checkVersions(files, header);
  const defaults = files.find((f) => f.platforms !== undefined)?.platforms;

  const warnings = files.flatMap((f) => f.warnings);
  const merged = new Map<string, Merging>();
  for (const f of files) {
    const fileDefault = samePlatforms(f.platforms, defaults) ? undefined : f.platforms;
    for (const entry of f.images) {
      const platforms = entry.platforms ?? fileDefault;
      const key = formatReference(entry.ref);
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { first: entry, platforms });
      } else if (seen.platforms === undefined && platforms === undefined) {
        // Both want the default: nothing to combine.
      } else if (defaults !== undefined) {
        seen.platforms = union(seen.platforms ?? defaults, platforms ?? defaults);
      } else if (seen.platforms === undefined || platforms === undefined) {
        seen.platforms = undefined;
        warnings.push(
          `${where(entry.origin)}: ${key} is also listed at ${where(seen.first.origin)}, once with platforms and once without, and no manifest sets default platforms: the bundle's default platforms apply to it`,
        );
      } else {
        seen.platforms = union(seen.platforms, platforms);
      }
    }
  }

  const images = [...merged.values()].map(
    ({ first: { ref, source, origin, strictPlatforms }, platforms }): ImageSetEntry => ({
      ref,
      source,
      origin,
      ...(platforms !== undefined ? { platforms } : {}),
      ...(strictPlatforms !== undefined ? { strictPlatforms } : {}),
    }),
  );
  return {
    name: header.name,
    version: header.version,
    ...(defaults === undefined ? {} : { platforms: defaults }),
    ...referrersOf(files),
    images,
    files: files.map((f) => f.file),
    warnings,
  };
}

/** The first file's `spec.referrers` that says anything (a command-line choice still wins). */
function referrersOf(files: readonly ImageSetFile[]): { referrers?: ReferrerChoice } {
  const said = files.find((f) => f.referrers !== undefined)?.referrers;
  return said === undefined ? {} : { referrers: said };
}
