/**
 * Every command documents itself: a summary, a description, at least two
 * examples written as `<%= config.bin %> <%= command.id %> …`, and a
 * description for each flag and argument. The README's command reference
 * is generated from the same text (bin/readme-commands.js).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@oclif/core';
import { expect } from 'chai';

const commandsDir = fileURLToPath(new URL('../../commands', import.meta.url));
const files = readdirSync(commandsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .sort();

const exampleText = (e: Command.Example): string => (typeof e === 'string' ? e : e.command);

describe('command help', () => {
  it('finds the commands', () => {
    expect(files.length).to.be.greaterThan(5);
  });

  for (const file of files) {
    it(`${file}: summary, description, examples, and every flag and argument described`, async () => {
      const mod = (await import(join(commandsDir, file))) as { default: Command.Class };
      const cmd = mod.default;
      expect(cmd.summary, 'summary').to.be.a('string').that.is.not.empty;
      expect(cmd.description, 'description').to.be.a('string').that.is.not.empty;
      const examples = cmd.examples.map(exampleText);
      expect(examples, 'examples').to.have.length.of.at.least(2);
      for (const e of examples) expect(e).to.contain('<%= config.bin %> <%= command.id %>');
      const flags = { ...cmd.baseFlags, ...cmd.flags };
      for (const [name, flag] of Object.entries(flags))
        expect(flag.description, `--${name}`).to.be.a('string').that.is.not.empty;
      for (const [name, arg] of Object.entries(cmd.args))
        expect(arg.description, name).to.be.a('string').that.is.not.empty;
    });
  }
});
