import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { runImageCopy } from '../../src/cli/image-copy/adapter.js';
import { renderImageCopyResult } from '../../src/cli/image-copy/render.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import { uploadFlags } from '../../src/cli/upload-flags.js';
import { WorkTally } from '../../src/cli/work-tally.js';
import { defaultCopyConcurrency } from '../../src/copy/index.js';
import type { ImageCopyResult } from '../../src/image/copy-image.js';

export default class ImageCopy extends BaseCommand {
  static override summary =
    'Copy images between registries, OCI layout directories and bundles, keeping every digest.';

  static override description = `SOURCE and DESTINATION are written as skopeo writes them:
  docker://REGISTRY/REPOSITORY[:TAG|@DIGEST]   an image in a registry
  oci:DIR[:NAME]                                an OCI image layout directory (skopeo, crane, ctr read it)
  bundle:FILE[:NAME]                            a bundle (bmpack's, an OCI layout tar, docker save), read only

An index is copied whole, so every digest stays valid at the destination; --platform keeps only some platforms (a new, filtered index). Only what the destination lacks moves: a second run sends nothing. With --all, every image a bundle or layout lists is copied; to a registry, DESTINATION is then HOST[:PORT][/NAMESPACE] and each image keeps its path and tag under it, as push images maps them.

--cacert, --plain-http and --insecure-skip-tls-verify apply to every registry named, or to the HOST they name (--cacert HOST=FILE, --plain-http HOST), unless a --src-… flag gives the source registry settings of its own; --username USER is for the destination registry (HOST=USER names another); stored logins (auth.json, the Docker config) serve the others.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> docker://registry.k8s.io/pause:3.10 docker://10.0.0.5:5000/mirror/pause:3.10 --cacert ca.crt',
    '<%= config.bin %> <%= command.id %> docker://localhost:5000/app:1.0 oci:./app-layout --plain-http',
    '<%= config.bin %> <%= command.id %> docker://localhost:5000/app:1.0 docker://10.0.0.5:5000/app:1.0 --src-plain-http --cacert ca.crt',
    '<%= config.bin %> <%= command.id %> bundle:bmpackages_1.0.0.tar.xz docker://10.0.0.5:5000/mirror --all --username admin --password-stdin',
  ];

  static override args = {
    source: Args.string({
      description: 'Where to read: docker://REF, oci:DIR[:NAME] or bundle:FILE[:NAME].',
      required: true,
    }),
    destination: Args.string({
      description:
        'Where to write: docker://REF (or docker://HOST[:PORT][/NAMESPACE] with --all) or oci:DIR[:NAME].',
      required: true,
    }),
  };

  static override flags = {
    ...progressFlags,
    all: Flags.boolean({ description: 'Copy every image the bundle or layout lists.' }),
    platform: Flags.string({
      description:
        'Keep only this platform of a multi-platform image, os/arch[/variant] (repeatable).',
      multiple: true,
    }),
    ...registryFlags,
    ...uploadFlags,
    'src-cacert': Flags.file({
      description:
        'PEM file of the CA of the source registry, when it differs from the destination.',
      exists: true,
      helpGroup: 'SOURCE REGISTRY',
    }),
    'src-plain-http': Flags.boolean({
      description: 'Talk plain HTTP to the source registry.',
      helpGroup: 'SOURCE REGISTRY',
    }),
    'src-insecure-skip-tls-verify': Flags.boolean({
      description: 'Do not verify the source registry certificate (not recommended).',
      helpGroup: 'SOURCE REGISTRY',
    }),
    concurrency: Flags.integer({
      description: 'Parallel blob copies.',
      default: defaultCopyConcurrency,
      min: 1,
      max: 64,
    }),
    'dry-run': Flags.boolean({
      description: 'Print what would be copied, mounted or skipped, and write nothing.',
    }),
  };

  async run(): Promise<ImageCopyResult> {
    const { args, flags } = await this.parse(ImageCopy);
    const progress = createProgress(
      progressMode({
        json: this.jsonEnabled() || flags['dry-run'],
        choice: flags.progress,
        quiet: flags.quiet,
      }),
    );
    const tally = new WorkTally({
      images: 'copied and tagged',
      phases: { upload: 'sent (whole blobs stay at the destination)' },
    });
    const result = await withInterrupt(
      (signal) =>
        runImageCopy(args, flags, signal, tally.tee(progress.listener), (w) => {
          this.warnAlways(w);
        }),
      () => tally.summary(),
    ).finally(() => {
      progress.stop();
    });
    for (const line of renderImageCopyResult(result)) this.log(line);
    return result;
  }
}
