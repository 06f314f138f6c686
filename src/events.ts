/**
 * Progress as data. The core emits these; only the CLI layer draws bars.
 */

export type ProgressEvent =
  | { readonly type: 'phase'; readonly phase: string; readonly detail?: string }
  | { readonly type: 'images-total'; readonly total: number }
  | { readonly type: 'image-done'; readonly ref: string }
  | { readonly type: 'bytes-total'; readonly phase: string; readonly total: number }
  | { readonly type: 'bytes'; readonly phase: string; readonly n: number }
  | {
      readonly type: 'retry';
      readonly what: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'warning'; readonly message: string };

export type ProgressListener = (event: ProgressEvent) => void;
