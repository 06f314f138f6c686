/**
 * The hints of `mirror config` and `mirror check` in their flags' words
 * (see error-hints.ts): the library says "the install folder", the command
 * says --install-dir.
 */
import type { ErrorReason } from '../errors.js';
import { detail, say, type FlagHint } from './flag-hint.js';

type MirrorReason = Extract<ErrorReason, `mirror${string}`>;

export const mirrorHints: Readonly<Record<MirrorReason, readonly FlagHint[]>> = {
  'mirrored-host-invalid': [
    {
      needs: ['hosts'],
      hint: say(
        'Write --hosts as HOST[:PORT], comma-separated: docker.io,quay.io,registry.k8s.io (no https://, no path).',
      ),
    },
  ],
  'mirror-paths-not-expressible': [
    {
      needs: ['rewrite', 'max-nested-paths'],
      hint: (e) =>
        `The files of ${detail(e, 'runtime') || 'this runtime'} keep every image's path: write --runtime crio, podman, k3s or rke2 (registries.conf and registries.yaml can send moved repositories to their place), or push without --rewrite and --max-nested-paths to a registry that takes the full paths (see docs/push.md, "Repository paths").`,
    },
  ],
  'mirror-paths-need-bundle': [
    {
      needs: ['source', 'rewrite', 'max-nested-paths'],
      hint: say(
        'Give --source the bundle that was pushed, with the same --rewrite and --max-nested-paths as the push: each of its repositories is written where push put it.',
      ),
    },
  ],
  'mirrored-hosts-empty': [
    { needs: ['hosts'], hint: say('Write --hosts docker.io,quay.io (gcr.io is always included).') },
  ],
  'mirror-hosts-and-source': [
    { needs: ['hosts', 'source'], hint: say('Give --hosts or --source, not both.') },
  ],
  'mirror-plain-http-with-tls': [
    {
      needs: ['plain-http', 'cacert', 'insecure-skip-tls-verify'],
      hint: say('Drop --plain-http for a TLS registry, or the TLS flags for a plain HTTP one.'),
    },
  ],
  'mirror-install-dir-relative': [
    {
      needs: ['install-dir'],
      hint: say(
        'Give --install-dir the folder on the nodes that config_path names, e.g. /etc/containerd/certs.d.',
      ),
    },
  ],
  'mirror-cluster-needs-bmctl': [
    {
      needs: ['cluster-name', 'secret-namespace', 'format'],
      hint: say(
        '--cluster-name and --secret-namespace belong to bmctl: add --runtime bmctl (or --format bmctl).',
      ),
    },
  ],
  'mirror-cluster-name-invalid': [
    {
      needs: ['cluster-name'],
      hint: say('Give --cluster-name lowercase letters, digits and "-".'),
    },
  ],
  'mirror-secret-namespace-needs-cluster': [
    {
      needs: ['secret-namespace', 'cluster-name'],
      hint: say('--secret-namespace needs --cluster-name: add --cluster-name USER_CLUSTER.'),
    },
  ],
  'mirror-ca-not-pem': [
    {
      needs: ['cacert'],
      hint: say(
        'Give --cacert the PEM file of the CA that signed the registry certificate (BEGIN CERTIFICATE).',
      ),
    },
  ],
  'mirror-credentials-need-output': [
    { needs: ['output'], hint: say('Add --output FILE (written with mode 0600).') },
  ],
  'mirror-credentials-missing': [
    {
      needs: ['pull-credential-config'],
      hint: (e) => {
        const [registry, file] = [detail(e, 'registry'), detail(e, 'file')];
        return `Log in first (docker login ${registry} or skopeo login --authfile ${file} ${registry}), or drop --pull-credential-config.`;
      },
    },
  ],
  'mirror-config-only-without-config': [
    {
      needs: ['config', 'config-only'],
      hint: say('Add --config /etc/containerd/certs.d (or a config.toml), or drop --config-only.'),
    },
  ],
  'mirror-config-missing': [
    {
      needs: ['config'],
      hint: say(
        'Give --config the folder config_path names (e.g. /etc/containerd/certs.d) or /etc/containerd/config.toml.',
      ),
    },
  ],
  'mirror-docker-namespace': [
    {
      needs: ['private-registry', 'runtime'],
      hint: say(
        "Docker's registry-mirrors take no path: push to --private-registry HOST:PORT without /NAMESPACE for Docker nodes and write --runtime docker for it, or pick another --runtime.",
      ),
    },
  ],
  'mirror-check-bmctl': [
    {
      needs: ['runtime', 'config'],
      hint: say(
        "bmctl configures the nodes' containerd: check a node with --runtime containerd --config /etc/containerd/config.toml.",
      ),
    },
  ],
  // push images and mirror config take the bundle and the mirror with the same flags as mirror check.
  'mirror-images-not-served': [
    {
      needs: ['source', 'private-registry'],
      hint: (e) =>
        `Push the bundle again (bmpack push images ${rerun(e)}); until then containerd falls back to the public registry for these, which fails in an air-gapped site.`,
    },
  ],
  'mirror-config-wrong': [
    {
      needs: ['source', 'private-registry'],
      hint: (e) =>
        `Regenerate the configuration with bmpack mirror config ${rerun(e)} and install it on the nodes.`,
    },
  ],
};

/** `--source B --private-registry R` of the check that failed. */
function rerun(e: Parameters<FlagHint['hint']>[0]): string {
  return `--source ${detail(e, 'source')} --private-registry ${detail(e, 'privateRegistry')}`;
}
