/**
 * Tag rules from distribution/reference regexp.go (`tag`), which come from
 * moby's graph/tags.go: `[\w][\w.-]{0,127}`.
 */
import { tagMaxLength, tagRegexp } from './grammar.js';

/** What is wrong with `tag`, or undefined when it is valid. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag is empty';
  if (tag.length > tagMaxLength) {
    return `the tag is ${tag.length} characters long (at most ${tagMaxLength})`;
  }
  if (tag.startsWith('.') || tag.startsWith('-')) return 'a tag must not start with "." or "-"';
  if (!tagRegexp.test(tag)) {
    return `tag ${JSON.stringify(tag)} may contain only letters, digits, "_", "." and "-"`;
  }
  return undefined;
}
