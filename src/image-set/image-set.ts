/**
 * What a release engineer asks to bundle: the images of one release, read
 * from one or more manifest files (see parse-image-set.ts for the formats).
 */
import type { PlatformSpec } from '../oci/platform.js';
import type { ReferrerKind } from '../oci/referrer-kinds.js';
import type { ImageReference } from '../reference/index.js';

/** Where something was written: file as given on the command line, 1-based line. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

export interface ImageSetEntry {
  /** The reference, normalised (`nginx` → `docker.io/library/nginx:latest`). */
  readonly ref: ImageReference;
  /** The reference as written in the file, for messages. */
  readonly source: string;
  /**
   * Platforms for this image alone, when the file gave any; otherwise the
   * image set's default ({@link ImageSet.platforms}) applies.
   */
  readonly platforms?: readonly PlatformSpec[];
  /**
   * For a reference pinned by digest: filter its index by platform even
   * though that cannot keep the digest — which fails (a new index would not
   * be the pinned one). Without it a pinned index is carried whole.
   */
  readonly strictPlatforms?: boolean;
  /** Where the entry was first listed. */
  readonly origin: SourcePosition;
}

export interface ImageSet {
  /** `metadata.name`, or the first file's base name when no file is a bmpack ImageSet. */
  readonly name: string;
  /** `metadata.version` (safe in a file name), or `unversioned`. */
  readonly version: string;
  /** Default platforms for entries that give none (`spec.platforms`); undefined when no file set one. */
  readonly platforms?: readonly PlatformSpec[];
  /** Which referrers come along (`spec.referrers`): none, or these kinds; undefined when no file said. */
  readonly referrers?: ReferrerChoice;
  /** Each normalised reference once, in the order first listed. */
  readonly images: readonly ImageSetEntry[];
  /** The files read, in order. */
  readonly files: readonly string[];
  /**
   * Things the files asked for that bmpack reads but does not act on (TLS or
   * credential settings in a skopeo-sync file, for example): show them to the user.
   */
  readonly warnings: readonly string[];
}

/** The three kinds of image list bmpack reads. */
export type ImageSetFormat = 'bmpack-image-set' | 'plain-list' | 'registry-map';

/** One image list file, parsed, before the files of a release are merged. */
export interface ImageSetFile {
  readonly file: string;
  readonly format: ImageSetFormat;
  readonly name: string;
  readonly version: string;
  /** Where a bmpack ImageSet states its version. */
  readonly versionAt?: SourcePosition;
  readonly platforms?: readonly PlatformSpec[];
  readonly referrers?: ReferrerChoice;
  readonly images: readonly ImageSetEntry[];
  readonly warnings: readonly string[];
}

/** `none`, or the kinds of referrers to carry (`all` is every kind). */
export type ReferrerChoice = 'none' | readonly ReferrerKind[];
