/**
 * The single-file build decides a V8 setting before oclif parses anything
 * (see bin/single-file.js), so it looks for bundles in the raw command line:
 * the value of `--source` and any argument ending in `.xz`. src/xz then
 * tells from their first bytes whether they are LZMA-compressed.
 */
import { anyLzmaFile } from '../xz/index.js';

/** At most this many files are probed: a command names one or two bundles. */
const maxCandidates = 4;

/** Candidate files: `--source X`, `--source=X`, and any argument ending in `.xz`. */
export function bundlePathsInArgv(argv: readonly string[]): string[] {
  const files: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--source') {
      const next = argv[i + 1];
      if (next !== undefined) files.push(next);
    } else if (arg.startsWith('--source=')) files.push(arg.slice('--source='.length));
    else if (arg.endsWith('.xz') && !arg.startsWith('-')) files.push(arg);
  });
  return files.slice(0, maxCandidates);
}

/** True when a file the command line names is an .xz file of LZMA-compressed data. */
export function namesLzmaFile(argv: readonly string[]): boolean {
  return anyLzmaFile(bundlePathsInArgv(argv));
}
