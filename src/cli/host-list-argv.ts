/**
 * `--plain-http` and `--insecure-skip-tls-verify` take an optional HOST:
 * `--plain-http` alone (every registry, as before), `--plain-http HOST`
 * or `--plain-http=HOST`. oclif has no optional values, so the argv is
 * rewritten first: the next word is the flag's HOST only when it looks
 * like a registry host by docker's rule (a `.` or a `:`, or `localhost`)
 * and has no `/` (an image reference, `docker://…`, has one).
 */
import { anyRegistry } from '../registry/http/host-options.js';

const hostLike = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(?::\d{1,5})?$/;

export function isHostWord(word: string | undefined): word is string {
  if (word === undefined || !hostLike.test(word)) return false;
  return word.includes('.') || word.includes(':') || word === 'localhost';
}

export function normalizeHostListFlags(
  argv: readonly string[],
  names: readonly string[],
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (!names.includes(name)) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (isHostWord(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(`${arg}=${anyRegistry}`);
  }
  return out;
}
