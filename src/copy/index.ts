/**
 * The copy engine: images from an {@link ImageSource} into an
 * {@link ImageSink}, each blob once, each manifest after its children,
 * each tag once its image is whole.
 */
export {
  copyImages,
  defaultCopyConcurrency,
  engineOptions,
  type EngineOptions,
  type CopyOptions,
  type CopyOutcome,
} from './copy-images.js';
export type { CopyRequest, PlannedImage } from './copy-request.js';
export type { MissingBlob } from './copy-plan.js';
export type { CopyCounts } from './copy-context.js';
export type { PlanSummary } from './plan-summary.js';
