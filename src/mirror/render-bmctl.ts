/**
 * bmctl's view of the mirror (seed-workflow.md): the `registryMirrors` list
 * of the cluster config file's header document, and, for a user cluster,
 * the `spec.nodeConfig.registryMirrors` of its Cluster object, whose CA and
 * credentials come from Secrets instead of workstation paths. Pure.
 */
import { Document } from 'yaml';
import { alwaysMirrored, type MirrorTarget } from './mirror-target.js';

export interface BmctlOptions {
  readonly target: MirrorTarget;
  /** Mirrored hosts; gcr.io is left out (bmctl always mirrors it). */
  readonly hosts: readonly string[];
  /** Absolute paths on the admin workstation. */
  readonly caCertPath?: string;
  readonly pullCredentialConfigPath?: string;
  /** A user cluster: also write its Cluster spec snippet. */
  readonly clusterName?: string;
  /** Where that cluster's Secrets live. Default: `cluster-<clusterName>`. */
  readonly secretNamespace?: string;
}

/** Secret names bmpack suggests for a user cluster's mirror. */
export const mirrorCaSecretName = 'registry-mirror-ca';
export const mirrorPullSecretName = 'registry-mirror-pull-credential';

export function secretNamespaceFor(clusterName: string, override?: string): string {
  return override ?? `cluster-${clusterName}`;
}

export function renderBmctl(o: BmctlOptions): string {
  const hosts = o.hosts.filter((h) => h !== alwaysMirrored);
  const header = new Document({
    registryMirrors: [
      {
        endpoint: o.target.endpoint,
        ...(o.caCertPath !== undefined ? { caCertPath: o.caCertPath } : {}),
        ...(o.pullCredentialConfigPath !== undefined
          ? { pullCredentialConfigPath: o.pullCredentialConfigPath }
          : {}),
        ...(hosts.length > 0 ? { hosts } : {}),
      },
    ],
  });
  header.commentBefore = [
    ' Written by bmpack mirror config (bmctl format).',
    ' Put registryMirrors in the header document of the cluster config file (above the first',
    ' "---", beside gcrKeyPath and sshPrivateKeyPath); apply with bmctl create cluster or',
    ' bmctl update cluster. gcr.io is always mirrored and is not listed; a host that is not',
    ' listed never uses the mirror. Paths are on the admin workstation.',
  ].join('\n');
  const docs = [header.toString()];
  if (o.clusterName !== undefined) docs.push(renderUserCluster(o, o.clusterName, hosts));
  return docs.join('---\n');
}

function renderUserCluster(o: BmctlOptions, clusterName: string, hosts: readonly string[]): string {
  const namespace = secretNamespaceFor(clusterName, o.secretNamespace);
  const mirror = {
    endpoint: o.target.endpoint,
    ...(o.caCertPath !== undefined
      ? { caCertSecretRef: { name: mirrorCaSecretName, namespace } }
      : {}),
    ...(o.pullCredentialConfigPath !== undefined
      ? { pullCredentialSecretRef: { name: mirrorPullSecretName, namespace } }
      : {}),
    ...(hosts.length > 0 ? { hosts } : {}),
  };
  const doc = new Document({ spec: { nodeConfig: { registryMirrors: [mirror] } } });
  const create: string[] = [];
  if (o.caCertPath !== undefined)
    create.push(
      `   kubectl -n ${namespace} create secret generic ${mirrorCaSecretName} --from-file=ca.crt=${o.caCertPath}`,
    );
  if (o.pullCredentialConfigPath !== undefined)
    create.push(
      `   kubectl -n ${namespace} create secret generic ${mirrorPullSecretName} --type=kubernetes.io/dockerconfigjson --from-file=.dockerconfigjson=${o.pullCredentialConfigPath}`,
    );
  doc.commentBefore = [
    ` User cluster ${clusterName}: user clusters do not inherit the admin cluster's mirror.`,
    ` Merge this spec.nodeConfig.registryMirrors into its Cluster object (name ${clusterName}),`,
    ' then run bmctl update cluster.',
    ...(create.length > 0
      ? [
          ` The Secret references need these Secrets in namespace ${namespace} (with the admin cluster's kubeconfig):`,
          ...create,
        ]
      : []),
  ].join('\n');
  return doc.toString();
}
