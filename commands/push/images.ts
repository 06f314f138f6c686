import { requiredBundleFlag } from '../../src/cli/bundle-flag.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { normalizeBooleanFlags } from '../../src/cli/boolean-flags.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { WorkTally } from '../../src/cli/work-tally.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import { uploadFlags } from '../../src/cli/upload-flags.js';
import { pathFlags } from '../../src/cli/path-flags.js';
import { runPushImages } from '../../src/cli/push-images/adapter.js';
import { renderPushResult } from '../../src/cli/push-images/render.js';
import { defaultPushConcurrency, type PushImagesResult } from '../../src/push/push-images.js';

export default class PushImages extends BaseCommand {
  static override summary =
    'Push every image of a bundle into a private registry, straight from the .tar.xz.';

  static override description = `Replays a bundle (bmpack's, any tar or tar.xz of an OCI image layout, or a docker-save archive) into HOST[:PORT][/NAMESPACE] without unpacking it to disk. REGISTRY/PATH:TAG becomes HOST:PORT/NAMESPACE/PATH:TAG, the layout containerd expects of a mirror.

It plans first: every blob and manifest is checked at the target and only what is missing moves; a blob already pushed to another repository is mounted, not uploaded again; an image is tagged only when all of it is there. A re-run after an interruption moves only what is missing; a re-run of a finished push uploads nothing.

Before any write (and in --dry-run) it opens and cancels one upload session per repository depth, so that a registry that limits depth (GitLab, Quay, some Harbor set-ups) fails the push at once, saying how deep it goes. --max-nested-paths folds deeper names and --rewrite maps source prefixes; --dry-run and --json show every image's target. containerd's hosts.toml cannot follow such a mapping (mirror config refuses it).

Credentials: with --need-credential (the default) and neither --username, --authfile nor --docker-config, a stored login is used when there is one (REGISTRY_AUTH_FILE, \${XDG_RUNTIME_DIR}/containers/auth.json, ~/.config/containers/auth.json, then the Docker config, as skopeo looks); otherwise a terminal is asked (never for --dry-run, which goes on without). HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --cacert ca.crt',
    'cat pw.txt | <%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000 --username admin --password-stdin',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry localhost:5000 --plain-http --need-credential=false --dry-run',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry gitlab.example.com:5050/group/project --max-nested-paths 3 --rewrite registry.k8s.io=k8s --dry-run',
  ];

  static override flags = {
    ...progressFlags,
    source: requiredBundleFlag({
      char: 's',
      description:
        'The bundle: a .tar.xz or .tar (bmpack, OCI layout or docker-save); in parts, the first part or the base name.',
    }),
    'private-registry': Flags.string({
      description: 'Target registry, HOST[:PORT][/NAMESPACE].',
      required: true,
    }),
    'need-credential': Flags.boolean({
      description: 'The registry needs credentials (--need-credential=false for none).',
      default: true,
      allowNo: true,
    }),
    ...registryFlags,
    ...uploadFlags,
    ...pathFlags,
    concurrency: Flags.integer({
      description: 'Parallel uploads.',
      default: defaultPushConcurrency,
      min: 1,
      max: 64,
    }),
    'dry-run': Flags.boolean({
      description: 'Print what would be uploaded, mounted or skipped, and write nothing.',
    }),
  };

  async run(): Promise<PushImagesResult> {
    this.argv = normalizeBooleanFlags(this.argv, ['need-credential']);
    const { flags } = await this.parse(PushImages);
    const progress = createProgress(
      progressMode({
        json: this.jsonEnabled() || flags['dry-run'],
        choice: flags.progress,
        quiet: flags.quiet,
      }),
    );
    const tally = new WorkTally({
      images: 'pushed and tagged',
      phases: { upload: 'sent (whole blobs stay at the registry)' },
    });
    const result = await withInterrupt(
      (signal) =>
        runPushImages(flags, signal, tally.tee(progress.listener), (w) => {
          this.warnAlways(w);
        }),
      () => tally.summary(),
    ).finally(() => {
      progress.stop();
    });
    for (const line of renderPushResult(result)) this.log(line);
    return result;
  }
}
