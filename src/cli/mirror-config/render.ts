/** `mirror config` for people, and its --json shape. */
import type { MirrorConfigResult } from '../../mirror/index.js';
import { mirrorConfigGuide, mirrorConfigWarning } from './guide.js';

/** What `mirror config --json` prints: the result with its guide and warnings worded. */
export type MirrorConfigOutput = Omit<MirrorConfigResult, 'install' | 'warnings'> & {
  /** What to do next, for people. */
  readonly guide: readonly string[];
  readonly warnings: readonly string[];
};

export function mirrorConfigOutput(
  r: MirrorConfigResult,
  privateRegistry: string,
): MirrorConfigOutput {
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
  if (r.content !== undefined) return { stdout: r.content, stderr: r.guide.map((g) => `# ${g}`) };
  return { stdout: `${r.guide.join('\n')}\n`, stderr: [] };
}
