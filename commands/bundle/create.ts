import { bundleFlag } from '../../src/cli/bundle-flag.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { WorkTally } from '../../src/cli/work-tally.js';
import {
  defaultConcurrency,
  type CreateBundleResult,
} from '../../src/bundle-writer/create-bundle.js';
import { runBundleCreate } from '../../src/cli/bundle-create/adapter.js';
import { renderCreateResult } from '../../src/cli/bundle-create/render.js';

export default class BundleCreate extends BaseCommand {
  static override summary =
    'Pull the images a release lists and write one reproducible bmpackages .tar.xz.';

  static override description = `Reads one or more image lists (bmpack ImageSet YAML, a plain list with one reference a line, or skopeo-sync / mindthegap YAML), resolves every image, keeps each blob once however many images share it, and writes an OCI image layout as a tar in an xz container, with a <output>.sha256 sidecar.

With --since PREVIOUS_BUNDLE it writes a delta: every manifest and index of the new release, but only the configs and layers the previous bundle lacks. Its bmpack.json records the base (name, version and the sha256 of its file); push a delta into a registry that already holds the base.

Each layer goes from its registry through memory straight into the bundle, written once. With --cache-blobs, every fetched blob is also kept in the blob cache under $XDG_CACHE_HOME/bmpack (or $BMPACK_CACHE_DIR), so a re-run after an interruption fetches only what is missing (at the cost of a second write of each blob); blobs already in the cache are always used. The same inputs give a byte-identical file; set SOURCE_DATE_EPOCH to record a creation time.

Logins: --username HOST=USER with --password-stdin for one registry, else the stored ones (--authfile, REGISTRY_AUTH_FILE, \${XDG_RUNTIME_DIR}/containers/auth.json, ~/.config/containers/auth.json, then the Docker config and its credential helpers). HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --manifest manifests/example.yaml',
    '<%= config.bin %> <%= command.id %> --manifest release.yaml --manifest extras.txt --platform linux/amd64 --output /srv/out/bmpackages_1.2.0.tar.xz',
    '<%= config.bin %> <%= command.id %> --manifest images.txt --insecure-registry 10.0.0.5:5000 --json',
    'cat pw.txt | <%= config.bin %> <%= command.id %> --manifest release.yaml --cacert harbor.corp:443=corp-ca.crt --username harbor.corp:443=ci --password-stdin --plain-http 10.0.0.7:5000',
    'skopeo list-tags docker://registry.k8s.io/pause | jq -r \'.Tags[] | "registry.k8s.io/pause:" + .\' | <%= config.bin %> <%= command.id %> --manifest - --output pause.tar.xz',
    '<%= config.bin %> <%= command.id %> --manifest release-1.1.yaml --since bmpackages_1.0.0.tar.xz --output bmpackages_1.1.0-delta.tar.xz',
  ];

  static override flags = {
    ...progressFlags,
    manifest: Flags.string({
      char: 'm',
      description: 'Image list to bundle (repeatable); - reads one from standard input.',
      required: true,
      multiple: true,
    }),
    output: Flags.string({
      char: 'o',
      description:
        'Output file. Default: bmpackages_<version>.tar.xz here. A name ending in .tar writes a plain tar.',
    }),
    platform: Flags.string({
      description:
        "Keep only this platform, os/arch[/variant] (repeatable); replaces the lists' default platforms.",
      multiple: true,
    }),
    concurrency: Flags.integer({
      description: 'Parallel downloads.',
      default: defaultConcurrency,
      min: 1,
      max: 64,
    }),
    'insecure-registry': Flags.string({
      description:
        'Reach this registry (HOST[:PORT]) over HTTPS without verification, or plain HTTP (repeatable).',
      multiple: true,
    }),
    ...registryFlags,
    since: bundleFlag({
      description:
        'Write a delta against this previous bmpack bundle (a file, or the first part or base name of one in parts): leave out the configs and layers it already holds.',
    }),
    'split-size': Flags.string({
      description:
        'Write the bundle as parts NAME.001, NAME.002, … of SIZE bytes (e.g. 4000M for FAT32), whose concatenation is the bundle; see bundle split.',
      helpValue: 'SIZE',
    }),
    referrers: Flags.string({
      description:
        "Which referrers of each image come along: all, none, or kinds: signature, attestation, sbom (cosign tags, Sigstore bundles, in-toto and SPDX/CycloneDX artifacts), referrers (any other OCI 1.1 artifact with a subject). Repeatable. Default: the manifest's spec.referrers, else all.",
      options: ['all', 'none', 'signature', 'attestation', 'sbom', 'referrers'],
      multiple: true,
      multipleNonGreedy: true,
    }),
    parity: Flags.boolean({
      description:
        'With --split-size, also write NAME.parity, from which bundle repair rebuilds any one missing or damaged part.',
      dependsOn: ['split-size'],
    }),
    'cache-dir': Flags.string({
      description: 'Blob cache folder. Default: $BMPACK_CACHE_DIR, else $XDG_CACHE_HOME/bmpack.',
    }),
    'cache-blobs': Flags.boolean({
      description:
        'Also keep every fetched layer and config in the blob cache, so that a re-run (after an interruption, or for the next release) fetches only what is new. Costs a second write of each blob: without it, each blob goes straight into the bundle.',
    }),
  };

  async run(): Promise<CreateBundleResult> {
    const { flags } = await this.parse(BundleCreate);
    const progress = createProgress(
      progressMode({ json: this.jsonEnabled(), choice: flags.progress, quiet: flags.quiet }),
    );
    const tally = new WorkTally({
      images: 'fetched whole',
      phases: {
        fetch: flags['cache-blobs'] ? 'fetched into the cache (kept for the re-run)' : 'fetched',
      },
    });
    const result = await withInterrupt(
      (signal) =>
        runBundleCreate(flags, signal, tally.tee(progress.listener), (w) => {
          this.warnAlways(w);
        }),
      () => tally.summary(),
    ).finally(() => {
      progress.stop();
    });
    for (const line of renderCreateResult(result)) this.log(line);
    return result;
  }
}
