/**
 * `--progress json`: every progress event as one JSON object a line on
 * stderr, with the time it happened (docs/progress.md gives the schema).
 */
import type { ProgressEvent } from '../../events.js';
import { redactText } from '../../redact.js';
import type { ProgressRenderer } from './progress-renderer.js';

export function jsonLineRenderer(
  stream: NodeJS.WritableStream,
  now: () => Date = () => new Date(),
): ProgressRenderer {
  const listener = (e: ProgressEvent): void => {
    stream.write(`${redactText(JSON.stringify({ time: now().toISOString(), ...e }))}\n`);
  };
  return { listener, stop: () => undefined };
}
