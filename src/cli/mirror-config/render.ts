/** `mirror config` for people. */
import type { MirrorConfigResult } from '../../mirror/index.js';

/** stdout: the document when it was not written to a file, else the guide. */
export function renderMirrorConfig(r: MirrorConfigResult): { stdout: string; stderr: string[] } {
  if (r.content !== undefined) return { stdout: r.content, stderr: r.guide.map((g) => `# ${g}`) };
  return { stdout: `${r.guide.join('\n')}\n`, stderr: [] };
}
