/**
 * Progress as data. The core emits these; only the CLI layer draws bars.
 */

export type ProgressEvent =
  | { readonly type: 'phase'; readonly phase: string; readonly detail?: string }
  | { readonly type: 'images-total'; readonly total: number }
  /** An image's work begins; `bytes`: all it reaches, whether or not the target has it. */
  | { readonly type: 'image-start'; readonly ref: string; readonly bytes?: number }
  /** An image is whole at the target (tagged); `seconds` since its work began. */
  | {
      readonly type: 'image-done';
      readonly ref: string;
      readonly bytes?: number;
      readonly seconds?: number;
    }
  /** What a phase will move or read; `detail` says what the bytes are when that is not obvious. */
  | {
      readonly type: 'bytes-total';
      readonly phase: string;
      readonly total: number;
      readonly detail?: string;
    }
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
