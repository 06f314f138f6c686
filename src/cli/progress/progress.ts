/**
 * Draws the core's progress events, the way the run is watched: a
 * cli-progress multibar on a terminal, plain lines in a log (each image
 * as it starts and finishes, and a heartbeat), JSON lines for machines
 * (`--progress json`), or nothing (`--quiet`, and under --json unless
 * JSON lines are asked for). Always on stderr: stdout is the result.
 */
import type { ProgressRenderer } from './progress-renderer.js';
import { barRenderer } from './progress-bars.js';
import { jsonLineRenderer } from './progress-json.js';
import { lineRenderer } from './progress-lines.js';

export type { ProgressRenderer } from './progress-renderer.js';

export type ProgressMode = 'bars' | 'lines' | 'json' | 'off';

/** What --progress takes: a mode, or `auto` (bars on a terminal, lines otherwise). */
export const progressChoices = ['auto', 'bars', 'lines', 'json', 'none'] as const;
export type ProgressChoice = (typeof progressChoices)[number];

export interface ProgressWish {
  /** The command prints its result as JSON on stdout. */
  readonly json: boolean;
  readonly choice?: ProgressChoice | undefined;
  readonly quiet?: boolean | undefined;
}

export function progressMode(
  wish: ProgressWish | boolean,
  stream: { readonly isTTY?: boolean } = process.stderr,
): ProgressMode {
  const w = typeof wish === 'boolean' ? { json: wish } : wish;
  const choice = w.choice ?? 'auto';
  if (choice === 'json') return 'json';
  if (w.quiet === true || choice === 'none') return 'off';
  if (choice === 'bars' || choice === 'lines') return choice;
  if (w.json) return 'off';
  return stream.isTTY === true && process.env.TERM !== 'dumb' ? 'bars' : 'lines';
}

export function createProgress(
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressRenderer {
  if (mode === 'off') return { listener: () => undefined, stop: () => undefined };
  if (mode === 'json') return jsonLineRenderer(stream);
  if (mode === 'lines') return lineRenderer(stream);
  return barRenderer(stream);
}
