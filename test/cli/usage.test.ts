import { expect } from 'chai';
import { helpCommandArgv, unknownCommand } from '../../src/cli/command/entry.js';
import { closest, editDistance, usageError, usageLine } from '../../src/cli/usage/index.js';

const catalogue = {
  bin: 'bmpack',
  commandIDs: ['bundle:create', 'bundle:inspect', 'push:images', 'autocomplete'],
  topics: [{ name: 'bundle' }, { name: 'push' }],
  findCommand(id: string) {
    return this.commandIDs.includes(id) ? {} : undefined;
  },
  findTopic(id: string) {
    return this.topics.some((t) => t.name === id) ? {} : undefined;
  },
};

describe('usage: did you mean, usage lines, unknown commands', () => {
  it('counts a swap of two letters as one edit, and suggests only what is near', () => {
    expect(editDistance('bundel', 'bundle')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(closest('sorce', ['source', 'since', 'output'])).to.equal('source');
    expect(closest('frobnicate', ['source', 'since'])).to.equal(undefined);
  });

  it('writes the usage with the arguments and the flags a command cannot run without', () => {
    expect(
      usageLine({
        bin: 'bmpack',
        id: 'push:images',
        args: {},
        flags: { source: { required: true }, 'private-registry': { required: true }, json: {} },
      }),
    ).to.equal('bmpack push images --source SOURCE --private-registry PRIVATE_REGISTRY [FLAGS]');
    expect(
      usageLine({
        bin: 'bmpack',
        id: 'image:inspect',
        args: { image: { required: true } },
        flags: {},
      }),
    ).to.equal('bmpack image inspect IMAGE [FLAGS]');
  });

  it("turns oclif's unknown-flag error into one E_USAGE line with the closest flag", () => {
    const oclif = Object.assign(new Error('Nonexistent flag: --sorce\nSee more help with --help'), {
      flags: ['--sorce'],
    });
    const e = usageError(oclif, {
      bin: 'bmpack',
      id: 'push:images',
      args: {},
      flags: { source: { required: true } },
    });
    expect(e.code).to.equal('E_USAGE');
    expect(e.exitCode).to.equal(2);
    expect(e.message).to.equal('unknown flag --sorce for bmpack push images');
    expect(e.hint).to.match(/^Did you mean --source\? Usage: bmpack push images --source SOURCE/);
    expect(e.cause).to.equal(oclif);
  });

  it('knows commands (with their arguments), topics, and what is neither', () => {
    expect(unknownCommand(catalogue, ['bundle', 'create', '--manifest', 'x'])).to.equal(undefined);
    expect(unknownCommand(catalogue, ['bundle', 'inspect', 'file.tar.xz'])).to.equal(undefined);
    expect(unknownCommand(catalogue, ['bundle'])).to.equal(undefined);
    expect(unknownCommand(catalogue, ['--version'])).to.equal(undefined);
    const typo = unknownCommand(catalogue, ['bundle', 'creat']);
    expect(typo?.code).to.equal('E_USAGE');
    expect(typo?.hint).to.contain('"bmpack bundle create"');
    expect(unknownCommand(catalogue, ['pushh'])?.hint).to.contain('"bmpack push"');
  });

  it('reads help TOPIC COMMAND as TOPIC COMMAND --help', () => {
    expect(helpCommandArgv(['help', 'push', 'images'])).to.eql(['push', 'images', '--help']);
    expect(helpCommandArgv(['help'])).to.eql(['--help']);
    expect(helpCommandArgv(['push', 'images'])).to.eql(['push', 'images']);
  });
});
