/**
 * The library names no CLI flag: its errors carry a `reason` and
 * src/cli/error-hints.ts words the hint with the running command's flags.
 * This reads every string literal and template in src/ outside src/cli
 * (comments are not strings, so they may say `--since`) and fails on
 * anything shaped like a long flag, except the arguments bmpack gives or
 * names for other programs, listed per file below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');
const src = join(root, 'src');

/** Flags of other programs (xz, kubectl, ctr, skopeo) that a file may spell, by file. */
const otherPrograms: Readonly<Record<string, readonly string[]>> = {
  'src/xz/xz-tool-decoder.ts': ['--decompress', '--stdout', '--quiet', '--no-warn', '--threads'],
  'src/mirror/render-bmctl.ts': ['--from-file', '--type'],
  'src/mirror/mirror-inputs.ts': ['--authfile'],
};

const flagLike = /(?<![\w-])--[a-z][a-z0-9-]*/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return path === join(src, 'cli') ? [] : tsFiles(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

const isText = (node: ts.Node): node is ts.StringLiteralLike | ts.TemplateLiteralLikeNode =>
  ts.isStringLiteralLike(node) ||
  ts.isTemplateHead(node) ||
  ts.isTemplateMiddle(node) ||
  ts.isTemplateTail(node);

/** The flag-like words in the string literals and templates of `code`. */
function flagsInStrings(code: string): string[] {
  const sf = ts.createSourceFile('code.ts', code, ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isText(node)) found.push(...(node.text.match(flagLike) ?? []));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `file`'s flag-like strings that no list above allows. */
function flagsIn(file: string): string[] {
  const name = relative(root, file);
  const allowed = new Set(otherPrograms[name] ?? []);
  return flagsInStrings(readFileSync(file, 'utf8')).filter((flag) => !allowed.has(flag));
}

describe('the library names no CLI flag', () => {
  it('no string in src/ outside src/cli looks like --flag', () => {
    const offenders = tsFiles(src).flatMap((file) =>
      flagsIn(file).map((flag) => `${relative(root, file)}: ${flag}`),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('every allowance is still used, so that none outlives its string', () => {
    const unused = Object.entries(otherPrograms).flatMap(([name, flags]) => {
      const found = new Set(flagsInStrings(readFileSync(join(root, name), 'utf8')));
      return flags.filter((flag) => !found.has(flag)).map((flag) => `${name}: ${flag}`);
    });
    expect(unused).to.deep.equal([]);
  });

  it('the check itself catches a flag in a string, not in a comment', () => {
    expect(
      flagsInStrings("// pass --cacert\nconst hint = 'Check the path given to --cacert.';"),
    ).to.deep.equal(['--cacert']);
    expect(flagsInStrings('const m = `invalid --private-registry ${x}`;')).to.deep.equal([
      '--private-registry',
    ]);
  });
});
