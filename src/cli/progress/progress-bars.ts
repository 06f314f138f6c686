/**
 * Progress on a terminal: one cli-progress bar per phase (images done,
 * bytes with rate and ETA). Rate and ETA count from the phase's first
 * byte, not from when its bar opened, so that waiting for the registry's
 * answers does not make the first ETA hours long.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../../events.js';
import { formatBytes } from '../format-bytes.js';
import { formatDuration } from './duration.js';
import type { ProgressRenderer } from './progress-renderer.js';

interface Bar {
  readonly bar: cliProgress.SingleBar;
  value: number;
  readonly total: number;
  /** When the first byte (or image) came; undefined until then. */
  started: number | undefined;
  readonly bytes: boolean;
}

export function barRenderer(stream: NodeJS.WriteStream): ProgressRenderer {
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
  const bars = new Map<string, Bar>();
  /** Counted before the phase's bar was opened. */
  const early = new Map<string, number>();
  const open = (phase: string, total: number, bytes: boolean): void => {
    const value = early.get(phase) ?? 0;
    const bar = multi.create(Math.max(total, 1), 0, { phase: phase.padEnd(7), shown: '' });
    // A push learns its total once the target has answered for every blob, after uploads began.
    bars.set(phase, {
      bar,
      value,
      total,
      started: value > 0 ? performance.now() : undefined,
      bytes,
    });
    draw(bars.get(phase));
  };
  const count = (phase: string, n: number): void => {
    const b = bars.get(phase);
    if (b === undefined) {
      early.set(phase, (early.get(phase) ?? 0) + n);
      return;
    }
    b.started ??= performance.now();
    b.value += n;
    draw(b);
  };
  const listener = (e: ProgressEvent): void => {
    if (e.type === 'images-total') open('images', e.total, false);
    else if (e.type === 'bytes-total') open(e.phase, e.total, true);
    else if (e.type === 'image-done') count('images', 1);
    else if (e.type === 'bytes') count(e.phase, e.n);
    else if (e.type === 'warning') multi.log(`warning: ${e.message}\n`);
  };
  return {
    listener,
    stop: () => {
      multi.stop();
    },
  };
}

function draw(b: Bar | undefined): void {
  if (b === undefined) return;
  const shown = b.bytes
    ? `${formatBytes(b.value)}/${formatBytes(b.total)}`
    : `${b.value}/${b.total}`;
  const secs = b.started !== undefined ? (performance.now() - b.started) / 1000 : 0;
  const perSecond = secs > 0.5 ? b.value / secs : 0;
  const rate = b.bytes && perSecond > 0 ? `${formatBytes(perSecond)}/s` : '';
  const left = b.total - b.value;
  const eta = left <= 0 ? '' : perSecond > 0 ? `ETA ${formatDuration(left / perSecond)}` : 'ETA --';
  b.bar.update(b.value, { shown, rate, remaining: eta });
}
