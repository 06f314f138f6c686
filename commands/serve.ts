import { Flags } from '@oclif/core';
import { bundleExistsFlag } from '../src/cli/bundle-flag.js';
import { BaseCommand } from '../src/cli/command/base-command.js';
import { renderAccessLine, runServe } from '../src/cli/serve/adapter.js';

export default class Serve extends BaseCommand {
  static override summary =
    'Serve bundles as a read-only registry, straight from the .tar.xz; or run a small registry (--root).';

  static override description = `Answers the read side of the OCI distribution spec (/v2/, _catalog and tags/list with pagination, manifests and blobs by HEAD and GET, Range) from one or more bundles (a base and its deltas), reading each blob from its place in the file: nothing is extracted. Images are named as push images names them under --namespace, so mirror config --private-registry HOST:PORT/NAMESPACE points nodes at it unchanged. Every write is refused (UNSUPPORTED). With --root DIR instead, it is a small registry that accepts pushes (monolithic and chunked uploads, cross-repository mounts, manifest PUTs with distribution's checks) into the OCI image layout DIR, verifying every digest and writing atomically, for a site or a machine that has no registry: one process, no deletes, no garbage collection, no referrers API (clients keep the referrers tag schema instead). With --tls-cert/--tls-key it serves HTTPS; with --htpasswd every request needs basic authentication (bcrypt entries; 401 otherwise). One access-log line per request on stderr (a JSON object per line with --json), never with credentials. Listens on 127.0.0.1 unless told otherwise; stops on Ctrl-C or SIGTERM, finishing the requests under way.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --listen 127.0.0.1:5000 --namespace mirror',
    '<%= config.bin %> <%= command.id %> --source base.tar.xz --source delta.tar.xz --listen 0.0.0.0:5000',
    '<%= config.bin %> <%= command.id %> --source bmpackages_1.0.0.tar.xz --listen 0.0.0.0:5443 --tls-cert server.crt --tls-key server.key --htpasswd htpasswd',
    '<%= config.bin %> <%= command.id %> --root /var/lib/bmpack-registry --listen 0.0.0.0:5000',
  ];

  static override flags = {
    source: bundleExistsFlag({
      char: 's',
      description: 'A bundle to serve (repeatable: a base and its deltas are one registry).',
      required: false,
      exclusive: ['root'],
    }),
    root: Flags.string({
      description:
        'Instead of bundles: run a small registry that accepts pushes, keeping what it is sent in this OCI image layout directory (made if absent).',
      exclusive: ['source'],
    }),
    listen: Flags.string({
      description: 'HOST:PORT to listen on (0.0.0.0 serves the site network).',
      default: '127.0.0.1:5000',
    }),
    'tls-cert': Flags.string({
      description: 'Serve HTTPS with this PEM certificate (its chain after it).',
      dependsOn: ['tls-key'],
    }),
    'tls-key': Flags.string({
      description: 'The PEM private key of --tls-cert.',
      dependsOn: ['tls-cert'],
    }),
    htpasswd: Flags.string({
      description:
        'Ask for basic authentication against this htpasswd file (bcrypt entries, as `htpasswd -B` writes them).',
    }),
    namespace: Flags.string({
      description:
        'Serve every repository under this path, as push --private-registry HOST:PORT/NAMESPACE would.',
    }),
  };

  async run(): Promise<{ address: string; repositories: number }> {
    const { flags } = await this.parse(Serve);
    return runServe(
      flags,
      (line) => {
        process.stderr.write(`${line}\n`);
      },
      (l) => {
        process.stderr.write(`${renderAccessLine(l, this.jsonEnabled())}\n`);
      },
    );
  }
}
