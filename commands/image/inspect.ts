import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { inspectRemoteImage } from '../../src/cli/image-inspect/adapter.js';
import { renderImageInspection } from '../../src/cli/image-inspect/render.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import type { ImageInspection } from '../../src/image/inspect-image.js';

export default class ImageInspect extends BaseCommand {
  static override summary = 'Resolve an image reference in its registry and show what it holds.';

  static override description =
    'Fetches the manifest of IMAGE (verifying its digest), and prints the digest, the media type, and the platforms of an index or the layers of a single manifest; with --platform, the manifest an index holds for that platform; with --raw, the exact bytes. Useful to check credentials, TLS settings and proxies before a bundle build or a push.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> registry.k8s.io/pause:3.10',
    '<%= config.bin %> <%= command.id %> 10.0.0.5:5000/library/nginx:1.27 --cacert ca.crt --username admin --password-stdin < pw.txt',
    '<%= config.bin %> <%= command.id %> localhost:5000/app@sha256:0123…cdef --plain-http --json',
    '<%= config.bin %> <%= command.id %> registry.k8s.io/pause:3.10 --platform linux/arm64 --raw | sha256sum',
  ];

  static override args = {
    image: Args.string({
      description:
        'Image reference, as docker takes it (nginx, gcr.io/x/y:1.0, host:5000/app@sha256:…).',
      required: true,
    }),
  };

  static override flags = {
    platform: Flags.string({
      description:
        'Inspect the manifest an index holds for this platform, os/arch[/variant], chosen as containerd chooses.',
    }),
    raw: Flags.boolean({
      description:
        'Print the exact manifest bytes the registry serves (after --platform), nothing else.',
      exclusive: ['json'],
    }),
    ...registryFlags,
  };

  async run(): Promise<ImageInspection | undefined> {
    const { args, flags } = await this.parse(ImageInspect);
    const { inspection, bytes, warnings } = await inspectRemoteImage(args.image, flags);
    for (const w of warnings) this.warnAlways(w);
    if (flags.raw) {
      process.stdout.write(bytes);
      return undefined;
    }
    for (const line of renderImageInspection(inspection)) this.log(line);
    return inspection;
  }
}
