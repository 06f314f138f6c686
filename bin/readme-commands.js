#!/usr/bin/env node
// Writes README.md's command reference, between <!-- commands --> and
// <!-- commandsstop --> (the markers `oclif readme` uses), from the
// commands' own help as oclif renders it, read through oclif.manifest.json
// (run `npm run build` first). With --check it writes nothing and fails
// when the reference is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, Help } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const start = '<!-- commands -->';
const stop = '<!-- commandsstop -->';
const width = 80;

/** `bmpack bundle create`, as typed. */
const title = (config, c) => `${config.bin} ${c.id.replaceAll(':', config.topicSeparator)}`;

/** GitHub's anchor for a heading. */
const anchor = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replaceAll(' ', '-');

function commandSection(config, help, c) {
  const name = title(config, c);
  const summary = c.summary ?? (c.description ?? '').split('\n')[0];
  const text = help.formatCommand({ ...c }).trimEnd();
  return [`### \`${name}\``, '', summary, '', '```', text, '```'].join('\n');
}

/** The reference: a list of the commands, then each one's help. */
async function reference() {
  const config = await Config.load({ root, userPlugins: false, devPlugins: false });
  const help = new Help(config, { stripAnsi: true, maxWidth: width });
  const commands = config.commands
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (commands.length === 0) throw new Error('no commands found: run `npm run build` first');
  const list = commands.map((c) => `- [\`${title(config, c)}\`](#${anchor(title(config, c))})`);
  const sections = commands.map((c) => commandSection(config, help, c));
  return [list.join('\n'), ...sections].join('\n\n');
}

/** README.md with `body` between the markers. */
function withReference(readme, body) {
  const from = readme.indexOf(start);
  const to = readme.indexOf(stop);
  if (from < 0 || to < from) throw new Error(`README.md needs ${start} … ${stop}`);
  return `${readme.slice(0, from + start.length)}\n\n${body}\n\n${readme.slice(to)}`;
}

/** Where two texts first differ, to point at in the failure message. */
function firstDifference(a, b) {
  const [x, y] = [a.split('\n'), b.split('\n')];
  const i = x.findIndex((line, n) => line !== y[n]);
  const line = i < 0 ? x.length : i;
  return `line ${line + 1}:\n  README.md: ${x[line] ?? '(end)'}\n  expected:  ${y[line] ?? '(end)'}`;
}

async function main() {
  const readme = readFileSync(readmePath, 'utf8');
  const updated = withReference(readme, await reference());
  if (!process.argv.includes('--check')) {
    if (updated !== readme) writeFileSync(readmePath, updated);
    console.log('README.md: command reference written');
  } else if (updated !== readme) {
    console.error(
      `README.md's command reference is out of date, from ${firstDifference(readme, updated)}`,
    );
    console.error('Run `npm run build && npm run readme`, and commit README.md.');
    process.exitCode = 1;
  }
}

await main();
