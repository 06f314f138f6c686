import { bundleFlag } from '../../src/cli/bundle-flag.js';
import { pathFlags } from '../../src/cli/path-flags.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { runMirrorConfig } from '../../src/cli/mirror-config/adapter.js';
import {
  mirrorConfigOutput,
  renderMirrorConfig,
  type MirrorConfigOutput,
} from '../../src/cli/mirror-config/render.js';
import { defaultInstallDir, mirrorConfigFormats } from '../../src/mirror/mirror-config.js';
import { mirrorRuntimes } from '../../src/mirror/runtime-tree.js';

export default class MirrorConfig extends BaseCommand {
  static override summary =
    "Write the configuration that makes nodes pull from the private registry, for each node's container runtime.";

  static override description = `Nodes keep asking for docker.io/library/nginx:1.27; the runtime turns that into a request to the mirror, HOST:PORT/NAMESPACE/library/nginx:1.27, the layout push images writes, and falls back to the public registry when the mirror lacks the image.

Runtimes (--runtime): a tree of every file a node needs, at its path below / (etc/...), written under --output (default ./mirror-<runtime>) or, when --output ends in .tar, as one tar to unpack at / on each node. Credentials (--pull-credential-config) are written only into the runtime's own files, with mode 0600, and never printed.
  containerd   1.6/1.7: certs.d/<host>/hosts.toml (+ ca.crt) and a config.toml version 2 fragment setting config_path.
  containerd2  2.x: the same hosts.toml, and a version 3 fragment (plugins."io.containerd.cri.v1.images".registry).
  crio, podman registries.conf.d drop-in (registries.conf v2: prefix, location, [[registry.mirror]], insecure), CA in /etc/containers/certs.d/<mirror>/ca.crt; credentials as an auth.json (CRI-O: global_auth_file drop-in).
  k3s, rke2    /etc/rancher/<k3s|rke2>/registries.yaml: mirrors (endpoint, rewrite for the namespace) and configs (tls, auth).
  docker       /etc/docker/daemon.json registry-mirrors (Docker mirrors docker.io only, and takes no namespace), CA in /etc/docker/certs.d.
  bmctl        the registryMirrors header of a bmctl cluster config.

Formats (--format, the single-piece outputs of earlier releases):
  hosts-toml   (default) one <host>/hosts.toml per mirrored registry in containerd's config_path layout, written under --output (default ./certs.d), with the CA copied beside each as ca.crt and named by its path under --install-dir on the nodes. Works with containerd 1.5 to 2.x.
  config-toml  the deprecated CRI registry.mirrors / registry.configs tables for config.toml (containerd 1.6/1.7; 2.x ignores its TLS settings; cannot be combined with config_path).
  bmctl        the registryMirrors header of a bmctl cluster config; with --cluster-name, also a user cluster's spec.nodeConfig.registryMirrors.

The mirrored registries are those named by --hosts, or those the images of --source come from; gcr.io is always included.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --private-registry 10.0.0.5:5000/mirror --source bmpackages_1.0.0.tar.xz --cacert ca.crt --runtime containerd --output mirror.tar',
    '<%= config.bin %> <%= command.id %> --private-registry 10.0.0.5:5000/mirror --source bmpackages_1.0.0.tar.xz --cacert ca.crt --runtime k3s --pull-credential-config ~/.docker/config.json',
    '<%= config.bin %> <%= command.id %> --private-registry 10.0.0.5:5000/mirror --source bmpackages_1.0.0.tar.xz --cacert ca.crt',
    '<%= config.bin %> <%= command.id %> --private-registry 10.0.0.5:5000 --hosts docker.io,quay.io --plain-http --output ./certs.d',
    '<%= config.bin %> <%= command.id %> --private-registry 10.0.0.5:5000/mirror --hosts docker.io --format bmctl --cacert /root/ca.crt --cluster-name user1',
  ];

  static override flags = {
    ...pathFlags,
    'private-registry': Flags.string({
      description: 'The mirror, as given to push images: HOST[:PORT][/NAMESPACE].',
      required: true,
    }),
    hosts: Flags.string({
      description: 'Registries to mirror, comma-separated (repeatable). gcr.io is always included.',
      multiple: true,
      exclusive: ['source'],
    }),
    source: bundleFlag({
      char: 's',
      description:
        "Mirror the registries this bundle's images come from (in parts: the first part or the base name).",
      exclusive: ['hosts'],
    }),
    cacert: Flags.file({
      description: 'PEM file of the CA that signed the mirror certificate.',
      exists: true,
    }),
    'pull-credential-config': Flags.file({
      description:
        'Docker config file with the mirror credentials (bmctl: pullCredentialConfigPath; config-toml: its registry.configs auth).',
      exists: true,
    }),
    'plain-http': Flags.boolean({ description: 'The mirror speaks plain HTTP.' }),
    'insecure-skip-tls-verify': Flags.boolean({
      description: 'Nodes do not verify the mirror certificate (prefer --cacert).',
    }),
    runtime: Flags.option({
      char: 'r',
      description: "The nodes' container runtime: write its whole tree of files.",
      options: mirrorRuntimes,
      exclusive: ['format', 'install-dir'],
    })(),
    format: Flags.option({
      char: 'f',
      description: 'What to write, without --runtime (default hosts-toml).',
      options: mirrorConfigFormats,
      exclusive: ['runtime'],
    })(),
    output: Flags.string({
      char: 'o',
      description:
        '--runtime: the folder for the tree (default ./mirror-<runtime>), or a FILE.tar. hosts-toml: the folder to write (default ./certs.d). Others: a file (default: standard output).',
    }),
    'node-root': Flags.string({
      description:
        'With --runtime: where the tree is copied on the nodes; paths inside the files start there. Default /.',
      dependsOn: ['runtime'],
    }),
    'install-dir': Flags.string({
      description: `The folder on the nodes that config_path names; CA paths point into it. Default ${defaultInstallDir}.`,
      exclusive: ['runtime'],
    }),
    'cluster-name': Flags.string({
      description: "bmctl: also write this user cluster's spec.nodeConfig.registryMirrors.",
    }),
    'secret-namespace': Flags.string({
      description:
        "bmctl: namespace of the user cluster's mirror Secrets. Default cluster-<cluster-name>.",
    }),
  };

  async run(): Promise<MirrorConfigOutput> {
    const { flags } = await this.parse(MirrorConfig);
    const result = mirrorConfigOutput(await runMirrorConfig(flags), flags['private-registry']);
    for (const w of result.warnings) this.warnAlways(w);
    if (this.jsonEnabled()) return result;
    const out = renderMirrorConfig(result);
    this.log(out.stdout.replace(/\n$/, ''));
    for (const line of out.stderr) this.logToStderr(line);
    return result;
  }
}
