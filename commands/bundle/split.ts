import { Args, Flags } from '@oclif/core';
import { runBundleSplit } from '../../src/cli/bundle-split/adapter.js';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { formatBytes } from '../../src/cli/format-bytes.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import type { SplitBundleResult } from '../../src/bundle-writer/split-bundle.js';

export default class BundleSplit extends BaseCommand {
  static override summary = 'Cut a bundle into parts of one size, for removable media.';

  static override description = `Writes BUNDLE.001, BUNDLE.002, … of --size bytes each (the last smaller), whose concatenation is BUNDLE byte for byte: \`cat BUNDLE.0* > BUNDLE\` restores it, with the same sha256. The .sha256 sidecar lists every part, then the whole (sha256sum -c --ignore-missing checks the parts).

push images, bundle inspect, bundle verify and image copy take the first part or the base name and read across the parts in place: nothing is joined, no extra disk. A missing or short part is named when the parts are opened; verify names a damaged one.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz --size 4000M',
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz --size 700M --remove --json',
  ];

  static override args = {
    bundle: Args.file({ description: 'The bundle to cut.', required: true, exists: true }),
  };

  static override flags = {
    ...progressFlags,
    size: Flags.string({
      description:
        'Bytes per part: a number with K, M or G (powers of 1024), e.g. 4000M for FAT32.',
      helpValue: 'SIZE',
      required: true,
    }),
    parity: Flags.boolean({
      description:
        'Also write BUNDLE.parity (one part more), from which bundle repair rebuilds any one missing or damaged part.',
    }),
    remove: Flags.boolean({
      description: 'Remove the whole file once every part and the sidecar are written.',
    }),
  };

  async run(): Promise<SplitBundleResult> {
    const { args, flags } = await this.parse(BundleSplit);
    const progress = createProgress(
      progressMode({ json: this.jsonEnabled(), choice: flags.progress, quiet: flags.quiet }),
    );
    const result = await runBundleSplit(args.bundle, flags, progress.listener).finally(() => {
      progress.stop();
    });
    this.log(`${result.bundle}: ${result.parts.length} parts, sha256 ${result.sha256}`);
    for (const p of result.parts) this.log(`  ${p.path}  ${formatBytes(p.size)}  ${p.sha256}`);
    if (result.parity !== undefined)
      this.log(`  ${result.parity.path}  (parity)  ${result.parity.sha256}`);
    return result;
  }
}
