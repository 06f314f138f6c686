/** `mirror config` for people, and its --json shape. */
import type { MirrorConfigResult, MirrorRuntimeResult } from '../../mirror/index.js';
import { mirrorConfigGuide, mirrorConfigWarning, runtimeGuide } from './guide.js';

/** What `mirror config --format` prints with --json: the result with its guide and warnings worded. */
export type MirrorFormatOutput = Omit<MirrorConfigResult, 'install' | 'warnings'> & {
  /** What to do next, for people. */
  readonly guide: readonly string[];
  readonly warnings: readonly string[];
};

/** What `mirror config --runtime` prints with --json: the tree written (never a file's content). */
export type MirrorRuntimeOutput = Omit<MirrorRuntimeResult, 'steps' | 'warnings'> & {
  readonly guide: readonly string[];
  readonly warnings: readonly string[];
};

export type MirrorConfigOutput = MirrorFormatOutput | MirrorRuntimeOutput;

export function mirrorConfigOutput(
  r: MirrorConfigResult | MirrorRuntimeResult,
  privateRegistry: string,
): MirrorConfigOutput {
  if ('runtime' in r) {
    return {
      runtime: r.runtime,
      endpoint: r.endpoint,
      hosts: r.hosts,
      output: r.output,
      archive: r.archive,
      tree: r.tree,
      nodeRoot: r.nodeRoot,
      guide: runtimeGuide(r, privateRegistry),
      warnings: r.warnings.map((w) => mirrorConfigWarning(w)),
    };
  }
  return {
    format: r.format,
    endpoint: r.endpoint,
    hosts: r.hosts,
    files: r.files,
    ...(r.content !== undefined ? { content: r.content } : {}),
    guide: mirrorConfigGuide(r, privateRegistry),
    warnings: r.warnings.map(mirrorConfigWarning),
  };
}

/** stdout: the document when it was not written to a file, else the guide. */
export function renderMirrorConfig(r: MirrorConfigOutput): { stdout: string; stderr: string[] } {
  if ('content' in r && r.content !== undefined)
    return { stdout: r.content, stderr: r.guide.map((g) => `# ${g}`) };
  return { stdout: `${r.guide.join('\n')}\n`, stderr: [] };
}
