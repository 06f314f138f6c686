/**
 * The single-file build (dist/bmpack.cjs, and the bmpack executable made
 * from it; see bin/package.js) has no task-worker module beside the worker
 * pool: its entry point registers its own file here, and that file runs as
 * a verify worker when started with BMPACK_VERIFY_WORKER=1. A module of its
 * own, so that the entry point can register without loading the pool.
 */
let singleFile: string | undefined;

/** Make verify workers run `file` (the single-file build) with BMPACK_VERIFY_WORKER=1. */
export function useSingleFileWorkers(file: string): void {
  singleFile = file;
}

/** The single-file build's own file, when this is it. */
export function singleFileWorker(): string | undefined {
  return singleFile;
}
