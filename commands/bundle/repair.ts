import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { repairBundle, type RepairResult } from '../../src/bundle-writer/repair-bundle.js';

export default class BundleRepair extends BaseCommand {
  static override summary =
    'Rebuild the one missing or damaged part of a bundle from its parity part.';

  static override description = `Checks every part of BUNDLE (in parts, with a BUNDLE.parity from bundle split --parity or bundle create --parity) against the sizes and sha256s the parity part records, and rebuilds the one that is missing or damaged, proven by its sha256. Nothing is written when every part is whole. One parity part rebuilds one part: with two or more missing or damaged, copy all but one again first.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz',
    '<%= config.bin %> <%= command.id %> /media/usb/bmpackages_1.0.0.tar.xz.001 --json',
  ];

  static override args = {
    bundle: Args.string({
      description: 'The bundle in parts: its base name or its first part.',
      required: true,
    }),
  };

  async run(): Promise<RepairResult> {
    const { args } = await this.parse(BundleRepair);
    const result = await repairBundle({ path: args.bundle });
    this.log(
      result.repaired !== undefined
        ? `rebuilt ${result.repaired}; all ${result.parts} parts of ${result.bundle} are whole`
        : `all ${result.parts} parts of ${result.bundle} are whole; nothing to repair`,
    );
    return result;
  }
}
