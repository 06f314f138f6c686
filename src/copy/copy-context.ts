/**
 * What the tasks of a copy share: the two stores, the slots, the progress
 * listener, and the counts they keep.
 */
import type { ProgressListener } from '../events.js';
import type { ImageSink, ImageSource } from '../store/index.js';

export interface CopyCounts {
  manifestsPushed: number;
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  bytesUploaded: number;
}

export interface ExecuteContext {
  readonly source: ImageSource;
  readonly sink: ImageSink;
  /** Slots for uploads; manifests, tags and mounts (small requests) get as many again of their own. */
  readonly concurrency: number;
  /**
   * The order the sink wants blobs in (lower first), when it has one: a
   * bundle writer writes them in a fixed order and waits for each in turn.
   * Without it, largest first.
   */
  readonly rank?: (digest: string) => number;
  readonly onEvent?: ProgressListener;
}
