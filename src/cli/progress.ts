/**
 * Draws the core's progress events: a cli-progress multibar on a terminal
 * (images done, bytes with rate and ETA per phase), plain lines otherwise,
 * nothing under --json.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../events.js';
import { formatBytes } from './format-bytes.js';

export interface ProgressRenderer {
  readonly listener: ProgressListener;
  stop(): void;
}

export type ProgressMode = 'bars' | 'lines' | 'off';

export function progressMode(
  json: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressMode {
  if (json) return 'off';
  return stream.isTTY && process.env.TERM !== 'dumb' ? 'bars' : 'lines';
}

export function createProgress(
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressRenderer {
  if (mode === 'off') return { listener: () => undefined, stop: () => undefined };
  if (mode === 'lines') return lineRenderer(stream);
  return barRenderer(stream);
}

function lineRenderer(stream: NodeJS.WriteStream): ProgressRenderer {
  const say = (s: string): void => void stream.write(`${s}\n`);
  const listener = (e: ProgressEvent): void => {
    if (e.type === 'images-total') say(`resolving ${e.total} images`);
    else if (e.type === 'bytes-total') say(`${e.phase}: ${formatBytes(e.total)}`);
    else if (e.type === 'retry') say(`retrying ${e.what} in ${e.delayMs} ms (${e.reason})`);
    else if (e.type === 'warning') say(`warning: ${e.message}`);
  };
  return { listener, stop: () => undefined };
}

function barRenderer(stream: NodeJS.WriteStream): ProgressRenderer {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      format: ' {phase} |{bar}| {shown} {rate} {remaining}',
      barsize: 30,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<
    string,
    { bar: cliProgress.SingleBar; value: number; total: number; started: number; bytes: boolean }
  >();
  /** Counted before the phase's bar was opened. */
  const early = new Map<string, number>();
  const update = (phase: string): void => {
    const b = bars.get(phase);
    if (!b) return;
    const secs = (performance.now() - b.started) / 1000;
    const shown = b.bytes
      ? `${formatBytes(b.value)}/${formatBytes(b.total)}`
      : `${b.value}/${b.total}`;
    const perSecond = secs > 0 ? b.value / secs : 0;
    const rate = b.bytes && perSecond > 0 ? `${formatBytes(perSecond)}/s` : '';
    const left = b.total - b.value;
    const eta =
      left <= 0 ? '' : perSecond > 0 ? `ETA ${formatDuration(left / perSecond)}` : 'ETA --';
    b.bar.update(b.value, { shown, rate, remaining: eta });
  };
  const open = (phase: string, total: number, bytes: boolean): void => {
    bars.set(phase, {
      bar: multi.create(Math.max(total, 1), 0, {
        phase: phase.padEnd(7),
        shown: '',
        rate: '',
        eta: '',
      }),
      // A push learns its total once the target has answered for every blob, after uploads began.
      value: early.get(phase) ?? 0,
      total,
      started: performance.now(),
      bytes,
    });
    update(phase);
  };
  const listener = (e: ProgressEvent): void => {
    if (e.type === 'images-total') open('images', e.total, false);
    else if (e.type === 'bytes-total') open(e.phase, e.total, true);
    else if (e.type === 'image-done' || e.type === 'bytes') {
      const phase = e.type === 'bytes' ? e.phase : 'images';
      const b = bars.get(phase);
      const n = e.type === 'bytes' ? e.n : 1;
      if (b) {
        b.value += n;
        update(phase);
      } else early.set(phase, (early.get(phase) ?? 0) + n);
    } else if (e.type === 'warning') multi.log(`warning: ${e.message}\n`);
  };
  return {
    listener,
    stop: () => {
      multi.stop();
    },
  };
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
