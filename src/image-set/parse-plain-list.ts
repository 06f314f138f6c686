/**
 * The plain image list that `bmctl`, mindthegap and many release scripts use:
 * one reference per line, `#` comments (whole-line or trailing), blank lines
 * ignored.
 */
import { parseEntryReference } from './entry-reference.js';
import type { ImageSetEntry } from './image-set.js';

/** A `#` that starts the line or follows whitespace opens a comment; references never contain `#`. */
const commentRegexp = /(^|\s)#.*$/;

/** The meaningful lines: comments and surrounding whitespace removed, blank lines dropped. */
export function plainListLines(
  text: string,
): { readonly line: number; readonly content: string }[] {
  const out: { line: number; content: string }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.replace(commentRegexp, '').trim();
    if (content !== '') out.push({ line: index + 1, content });
  });
  return out;
}

/** The entries of a plain list; the caller checks that there is at least one. */
export function parsePlainList(text: string, file: string): ImageSetEntry[] {
  return plainListLines(text).map(({ line, content }) => {
    const origin = { file, line };
    return { ref: parseEntryReference(content, origin), source: content, origin };
  });
}
