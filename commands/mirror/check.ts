import { requiredBundleFlag } from '../../src/cli/bundle-flag.js';
import { pathFlags } from '../../src/cli/path-flags.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { normalizeBooleanFlags } from '../../src/cli/boolean-flags.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import { mirrorRuntimes } from '../../src/mirror/runtime-tree.js';
import type { MirrorCheckReport } from '../../src/mirror/check-mirror.js';
import { runMirrorCheck } from '../../src/cli/mirror-check/adapter.js';
import { renderMirrorCheck } from '../../src/cli/mirror-check/render.js';

export default class MirrorCheck extends BaseCommand {
  static override summary =
    'Prove that every image of a bundle resolves through the mirror, as containerd would ask for it.';

  static override description = `For every image of the bundle, asks the mirror for HOST:PORT/NAMESPACE/PATH:TAG exactly as containerd does through it (GET/HEAD /v2/NAMESPACE/PATH/manifests/TAG) and compares the digest with the bundle's: present, missing or digest-differs. Fails (exit 5, E_NOT_FOUND) naming every image the mirror does not serve, since containerd would fetch those from the public registry.

With --config PATH it also reads a node's configuration for --runtime (default containerd 1.x or 2.x: a certs.d folder or config.toml; crio/podman: registries.conf or a registries.conf.d folder; k3s/rke2: registries.yaml; docker: daemon.json; or, for any runtime, a node's root folder such as a tree mirror config wrote) and reports, for each image, the URL the node asks the mirror, its fallback and TLS, and whether that URL is where push put the image; it names what is wrong (host or port, scheme, missing /v2, namespace path or rewrite, override_path, capabilities, insecure, missing CA file, config version). A wrong configuration alone fails with E_CONFIG_INVALID (exit 3).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --cacert ca.crt --need-credential=false',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --config /etc/containerd/certs.d --json',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --config /etc/containerd/config.toml --config-only',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --runtime k3s --config /etc/rancher/k3s/registries.yaml',
  ];

  static override flags = {
    source: requiredBundleFlag({ char: 's', description: 'The bundle that was pushed.' }),
    'private-registry': Flags.string({
      description: 'The mirror, as given to push images: HOST[:PORT][/NAMESPACE].',
      required: true,
    }),
    'need-credential': Flags.boolean({
      description: 'The mirror needs credentials (--need-credential=false for none).',
      default: true,
      allowNo: true,
    }),
    ...registryFlags,
    ...pathFlags,
    config: Flags.string({
      description:
        "Also check a node's configuration for --runtime: its file, a certs.d folder, or a node's root folder.",
    }),
    runtime: Flags.option({
      char: 'r',
      description: 'The runtime that reads --config (default: containerd 1.x or 2.x).',
      options: mirrorRuntimes,
      dependsOn: ['config'],
    })(),
    'config-only': Flags.boolean({
      description: 'Check only --config; send no request to the mirror.',
      dependsOn: ['config'],
    }),
    concurrency: Flags.integer({ description: 'Parallel requests.', default: 8, min: 1, max: 64 }),
  };

  async run(): Promise<MirrorCheckReport> {
    this.argv = normalizeBooleanFlags(this.argv, ['need-credential']);
    const { flags } = await this.parse(MirrorCheck);
    const report = await withInterrupt((signal) =>
      runMirrorCheck(
        flags,
        (w) => {
          this.warnAlways(w);
        },
        signal,
      ),
    );
    for (const line of renderMirrorCheck(report)) this.log(line);
    return report;
  }
}
