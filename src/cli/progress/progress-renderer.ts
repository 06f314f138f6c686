/** What draws progress: a listener for the core's events, and how to stop drawing. */
import type { ProgressListener } from '../../events.js';

export interface ProgressRenderer {
  readonly listener: ProgressListener;
  stop(): void;
}
