import { bundleArg } from '../../src/cli/bundle-flag.js';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { inspectBundle, type BundleInspection } from '../../src/inspect/inspect-bundle.js';
import { renderInspection } from '../../src/cli/bundle-inspect/render.js';

export default class BundleInspect extends BaseCommand {
  static override summary = 'Show what a bundle holds: images, platforms, sizes and totals.';

  static override description = `Lists every image of BUNDLE (reference, digest, platforms and the size of its whole closure), the number of blobs and their total size, what storing shared blobs once saves, the format and the tool that wrote it, and, for a delta, the base bundle it needs.

A bmpack bundle is read from its metadata alone, at the front of the file: inspecting a bundle of many gigabytes takes well under a second, and nothing is verified (use bundle verify for that). Other archives (a tar or tar.xz of an OCI image layout, a docker save archive) are read through their manifests and configs.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz',
    '<%= config.bin %> <%= command.id %> bmpackages_1.1.0-delta.tar.xz --json',
    '<%= config.bin %> <%= command.id %> skopeo-layout.tar.xz',
  ];

  static override args = {
    bundle: bundleArg({
      description:
        'The bundle: a bmpack .tar.xz or .tar, a tar or tar.xz of an OCI image layout, or a docker save archive; in parts, the first part or the base name.',
      required: true,
    }),
  };

  async run(): Promise<BundleInspection> {
    const { args } = await this.parse(BundleInspect);
    const inspection = await inspectBundle(args.bundle);
    for (const line of renderInspection(inspection)) this.log(line);
    return inspection;
  }
}
