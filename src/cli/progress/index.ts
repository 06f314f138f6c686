/** Drawing progress events: bars, log lines, JSON lines (progress.ts). */
export {
  createProgress,
  progressChoices,
  progressMode,
  type ProgressChoice,
  type ProgressMode,
  type ProgressRenderer,
  type ProgressWish,
} from './progress.js';
export { lineRenderer, type LineOptions } from './progress-lines.js';
export { jsonLineRenderer } from './progress-json.js';
export { progressFlags } from './progress-flags.js';
