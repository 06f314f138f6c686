/**
 * Progress for logs (no terminal): a line when each image starts and when
 * it is done (its bytes, its seconds), the totals of each phase, retries
 * and warnings, and, when nothing has been said for a while, a heartbeat
 * with how far the work is, so that a CI log never looks hung.
 */
import type { ProgressEvent } from '../../events.js';
import { formatBytes } from '../format-bytes.js';
import { formatDuration } from './duration.js';
import type { ProgressRenderer } from './progress-renderer.js';
import { WorkTally } from '../work-tally.js';

export interface LineOptions {
  /** Silence after which a heartbeat line is written (default 10 s). */
  readonly heartbeatMs?: number;
  readonly now?: () => number;
  /** Runs `tick` now and then; returns how to stop (default: an unref'd interval). */
  readonly schedule?: (tick: () => void) => () => void;
}

const defaultSchedule = (tick: () => void): (() => void) => {
  const timer = setInterval(tick, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
};

export function lineRenderer(stream: NodeJS.WritableStream, o: LineOptions = {}): ProgressRenderer {
  const now = o.now ?? (() => performance.now());
  const heartbeatMs = o.heartbeatMs ?? 10_000;
  const began = now();
  let last = began;
  const state = new WorkTally({ images: 'done', phases: {} });
  const say = (s: string): void => {
    last = now();
    stream.write(`${s}\n`);
  };
  const stop = (o.schedule ?? defaultSchedule)(() => {
    if (now() - last >= heartbeatMs)
      say(`... ${formatDuration((now() - began) / 1000)}${state.status()}`);
  });
  const listener = (e: ProgressEvent): void => {
    state.add(e);
    const line = lineFor(e);
    if (line !== undefined) say(line);
  };
  return { listener, stop };
}

function lineFor(e: ProgressEvent): string | undefined {
  switch (e.type) {
    case 'images-total':
      return `${e.total} images`;
    case 'bytes-total':
      return `${e.phase}: ${formatBytes(e.total)}${e.detail !== undefined ? ` (${e.detail})` : ''}`;
    case 'image-start':
      return `start ${e.ref}${e.bytes !== undefined ? ` (${formatBytes(e.bytes)})` : ''}`;
    case 'image-done': {
      const size = e.bytes !== undefined ? `${formatBytes(e.bytes)}, ` : '';
      return `done  ${e.ref}${e.seconds !== undefined ? ` (${size}${e.seconds} s)` : ''}`;
    }
    case 'retry':
      return `retrying ${e.what} in ${e.delayMs} ms (${e.reason})`;
    case 'warning':
      return `warning: ${e.message}`;
    default:
      return undefined;
  }
}
