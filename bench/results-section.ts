/**
 * Sections of bench/RESULTS.md that a bench other than the main run owns
 * (referrers, serve, scale …): each between `<!-- section:NAME -->` and
 * `<!-- /section:NAME -->`, rewritten by its own bench and kept by the others.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsFile = join(fileURLToPath(new URL('.', import.meta.url)), 'RESULTS.md');

const marked = /<!-- section:([a-z0-9-]+) -->[\s\S]*?<!-- \/section:\1 -->\n?/g;

/** Every marked section of `text`, in order. */
export function sectionsOf(text: string): string[] {
  return [...text.matchAll(marked)].map((m) => m[0]);
}

/** `text` with section `name` replaced by `body` (appended when it is not there). */
export function withSection(text: string, name: string, body: string): string {
  const block = `<!-- section:${name} -->\n${body.trimEnd()}\n<!-- /section:${name} -->\n`;
  const re = new RegExp(`<!-- section:${name} -->[\\s\\S]*?<!-- /section:${name} -->\\n?`);
  return re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n${block}`;
}

export async function writeSection(name: string, body: string): Promise<void> {
  const text = await readFile(resultsFile, 'utf8').catch(() => '# bmpack benchmark results\n');
  await writeFile(resultsFile, withSection(text, name, body));
}

/** The main run's report, followed by the sections other benches own. */
export async function writeMainResults(markdown: string): Promise<void> {
  const text = await readFile(resultsFile, 'utf8').catch(() => '');
  const kept = sectionsOf(text);
  await writeFile(
    resultsFile,
    [markdown.trimEnd(), ...kept.map((s) => s.trimEnd())].join('\n\n') + '\n',
  );
}
