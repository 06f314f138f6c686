import { pathFlags } from '../../src/cli/path-flags.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { normalizeBooleanFlags } from '../../src/cli/boolean-flags.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { registryFlags } from '../../src/cli/registry-flags.js';
import type { MirrorCheckReport } from '../../src/mirror/check-mirror.js';
import { runMirrorCheck } from '../../src/cli/mirror-check/adapter.js';
import { renderMirrorCheck } from '../../src/cli/mirror-check/render.js';

export default class MirrorCheck extends BaseCommand {
  static override summary =
    'Prove that every image of a bundle resolves through the mirror, as containerd would ask for it.';

  static override description = `For every image of the bundle, asks the mirror for HOST:PORT/NAMESPACE/PATH:TAG exactly as containerd does through it (GET/HEAD /v2/NAMESPACE/PATH/manifests/TAG) and compares the digest with the bundle's: present, missing or digest-differs. Fails (exit 5, E_NOT_FOUND) naming every image the mirror does not serve, since containerd would fetch those from the public registry.

With --config PATH it also reads a node's containerd configuration — a certs.d folder (config_path) or config.toml — and says which of the bundle's registries are not mirrored and which mirror entries are wrong (host or port, scheme, missing /v2, missing namespace path, missing override_path, capabilities without pull/resolve, missing CA file). A wrong configuration alone fails with E_CONFIG_INVALID (exit 3).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --cacert ca.crt --need-credential=false',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --config /etc/containerd/certs.d --json',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --private-registry 10.0.0.5:5000/mirror --config /etc/containerd/config.toml --config-only',
  ];

  static override flags = {
    source: Flags.file({
      char: 's',
      description: 'The bundle that was pushed.',
      required: true,
      exists: true,
    }),
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
        "Also check a node's containerd configuration: a certs.d folder or a config.toml.",
    }),
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
