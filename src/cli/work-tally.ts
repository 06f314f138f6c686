/**
 * How far a command is, counted from its progress events: so that an
 * interruption can say what is done (and kept) besides how to resume, and
 * a log's heartbeat how far the work has come.
 */
import type { ProgressEvent, ProgressListener } from '../events.js';
import { formatBytes } from './format-bytes.js';

export interface TallyWords {
  /** What a finished image is, e.g. "pushed". */
  readonly images: string;
  /** Byte phases worth reporting, with what their bytes are, e.g. `{ upload: 'uploaded' }`. */
  readonly phases: Readonly<Record<string, string>>;
}

export class WorkTally {
  private imagesTotal = 0;
  private imagesDone = 0;
  private current = '';
  private readonly bytes = new Map<string, { done: number; total: number }>();

  constructor(private readonly words: TallyWords) {}

  /** Feed it every progress event, then pass events on to `next`. */
  tee(next: ProgressListener): ProgressListener {
    return (e) => {
      this.add(e);
      next(e);
    };
  }

  /** "(upload): 3 of 4 images, upload 1.2 MiB of 3.0 MiB": every phase, in its own name. */
  status(): string {
    const parts = [
      ...(this.imagesTotal > 0 ? [`${this.imagesDone} of ${this.imagesTotal} images`] : []),
      ...[...this.bytes].map(([name, b]) =>
        b.total > 0
          ? `${name} ${formatBytes(b.done)} of ${formatBytes(b.total)}`
          : `${name} ${formatBytes(b.done)}`,
      ),
    ];
    const doing = this.current !== '' ? ` (${this.current})` : '';
    return `${doing}: ${parts.join(', ') || 'working'}`;
  }

  /** "2 of 4 images pushed, 1.2 MiB of 3.0 MiB uploaded". */
  summary(): string {
    const parts: string[] = [];
    if (this.imagesTotal > 0)
      parts.push(`${this.imagesDone} of ${this.imagesTotal} images ${this.words.images}`);
    for (const [phase, what] of Object.entries(this.words.phases)) {
      const b = this.bytes.get(phase);
      if (b !== undefined && b.total > 0)
        parts.push(`${formatBytes(Math.min(b.done, b.total))} of ${formatBytes(b.total)} ${what}`);
    }
    return parts.length > 0 ? parts.join(', ') : 'nothing yet';
  }

  add(e: ProgressEvent): void {
    if (e.type === 'phase') this.current = e.phase;
    else if (e.type === 'images-total') this.imagesTotal = e.total;
    else if (e.type === 'image-done') this.imagesDone++;
    else if (e.type === 'bytes-total') this.phase(e.phase).total = e.total;
    else if (e.type === 'bytes') this.phase(e.phase).done += e.n;
  }

  private phase(name: string): { done: number; total: number } {
    let b = this.bytes.get(name);
    if (b === undefined) {
      b = { done: 0, total: 0 };
      this.bytes.set(name, b);
    }
    return b;
  }
}
