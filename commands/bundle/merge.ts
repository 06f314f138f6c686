import { Args, Flags } from '@oclif/core';
import { renderMerge, runBundleMerge } from '../../src/cli/bundle-merge/adapter.js';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import type { MergeBundlesResult } from '../../src/bundle-writer/merge-bundles.js';

export default class BundleMerge extends BaseCommand {
  static override summary = 'Combine bundles, or a base and its deltas, into one full bundle.';

  static override description = `Writes one bundle holding every image listed by the BUNDLEs, each blob once, reading each blob from its place in the input that holds it: nothing is extracted, and every blob is hashed as it passes. Give a base and its deltas in order to get the full bundle of the latest release (an image the newer release dropped stays in). The merged bundle takes the name, version and time of the last input, so the same inputs give the same bytes.

A name listed with two different digests (a tag moved between releases) fails, naming them, unless --prefer last takes the later bundle's. A blob no input holds (a delta without its base) fails naming the blob and image.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz bmpackages_1.1.0-delta.tar.xz --output bmpackages_1.1.0.tar.xz',
    '<%= config.bin %> <%= command.id %> team-a.tar.xz team-b.tar.xz --output site.tar.xz --prefer last --json',
  ];

  static override strict = false;

  static override args = {
    bundles: Args.file({
      description:
        'The bundles, oldest first (a base, then its deltas); in parts, the first part or the base name.',
      required: true,
    }),
  };

  static override flags = {
    ...progressFlags,
    output: Flags.string({
      char: 'o',
      description: 'Where to write the merged bundle (.tar.xz, or .tar for a plain tar).',
      required: true,
    }),
    prefer: Flags.string({
      description: 'When a name is listed with different digests: last takes the later bundle’s.',
      options: ['last'],
    }),
  };

  async run(): Promise<MergeBundlesResult> {
    const { argv, flags } = await this.parse(BundleMerge);
    const progress = createProgress(
      progressMode({ json: this.jsonEnabled(), choice: flags.progress, quiet: flags.quiet }),
    );
    const inputs = argv.filter((a): a is string => typeof a === 'string');
    const result = await runBundleMerge(inputs, flags, progress.listener).finally(() => {
      progress.stop();
    });
    for (const line of renderMerge(result)) this.log(line);
    return result;
  }
}
