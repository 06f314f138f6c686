import { checkSignatures, renderSignatures } from '../../src/cli/bundle-verify/signatures.js';
import type { SignatureCheck, SignatureTrustFiles } from '../../src/referrers/index.js';
import { bundleArg } from '../../src/cli/bundle-flag.js';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/command/base-command.js';
import { createProgress, progressFlags, progressMode } from '../../src/cli/progress/index.js';
import { withInterrupt } from '../../src/cli/interrupt.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import type { VerifyReport } from '../../src/verify/verify-report.js';
import { renderVerify } from '../../src/cli/bundle-verify/render.js';

export default class BundleVerify extends BaseCommand {
  static override summary =
    'Check a bundle offline: xz checks, every blob re-hashed, closures, metadata, checksum file.';

  static override description = `Reads all of BUNDLE and checks what can be checked without a network, on the disconnected side where nothing can be fetched again:

- every xz block passes its check (every block is decoded);
- every blob's sha256 equals its name, and its size what bmpack.json and the manifests say;
- every image's closure (manifests, configs, layers) is in the bundle; for a delta, what is absent is listed as what the base bundle must supply;
- bmpack.json agrees with index.json (images, digests, media types, sizes) and lists exactly the tar's blobs;
- <bundle>.sha256, when present, matches the file.

With --key or --trusted-root, the signatures the bundle carries are checked offline too: cosign's tag-stored signatures (simple signing, sha256-<hex>.sig: the payload against its digest, its docker-manifest-digest against the image, its signature against the keys) and Sigstore bundles (cosign v3 referrers, checked with the sigstore project's verifier: a key-signed bundle against --key, a certificate-signed one against --trusted-root's CAs and the --certificate-identity and --certificate-oidc-issuer it must name; transparency-log entries where the trusted root has the log's key, and said to be unchecked otherwise). A signature that does not verify fails (exit 7); --require-signed also fails for every image without a signature that could be verified.

The work is spread over --workers worker processes (default: one per core). A failure names the blob and the images that use it, and exits non-zero (7 for a corrupt blob or checksum, 11 for a damaged or inconsistent bundle); with --json the report is printed with the error.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz --key cosign.pub --require-signed',
    '<%= config.bin %> <%= command.id %> bmpackages_1.0.0.tar.xz',
    '<%= config.bin %> <%= command.id %> bmpackages_1.1.0-delta.tar.xz --json',
    '<%= config.bin %> <%= command.id %> /media/usb/bmpackages_1.0.0.tar --workers 1',
  ];

  static override args = {
    bundle: bundleArg({
      description:
        'The bundle: a bmpack .tar.xz or .tar, a tar or tar.xz of an OCI image layout, or a docker save archive; in parts, the first part or the base name.',
      required: true,
    }),
  };

  static override flags = {
    ...progressFlags,
    key: Flags.string({
      description:
        'Also verify the cosign signatures the bundle carries with this PEM public key (ECDSA, RSA or Ed25519; repeatable), offline.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'trusted-root': Flags.string({
      description:
        'A Sigstore trusted root (trusted_root.json: CAs, transparency logs) for certificate-signed Sigstore bundles and transparency-log proofs, offline.',
    }),
    'certificate-identity': Flags.string({
      description:
        "With --trusted-root: the identity (the certificate's subject alternative name, exactly) a certificate signature must name.",
      dependsOn: ['trusted-root', 'certificate-oidc-issuer'],
    }),
    'certificate-oidc-issuer': Flags.string({
      description:
        'With --trusted-root: the OIDC issuer a certificate signature must name (e.g. https://accounts.google.com).',
      dependsOn: ['trusted-root', 'certificate-identity'],
    }),
    'require-signed': Flags.boolean({
      description:
        'With --key or --trusted-root: fail for every image that has no signature that verifies.',
    }),
    workers: Flags.integer({
      description:
        'Parallel workers reading and hashing. Default: one per core; 1 verifies in this process.',
      min: 1,
      max: 64,
    }),
  };

  async run(): Promise<VerifyReport & { signatures?: SignatureCheck[] }> {
    const { args, flags } = await this.parse(BundleVerify);
    const progress = createProgress(
      progressMode({ json: this.jsonEnabled(), choice: flags.progress, quiet: flags.quiet }),
    );
    const report = await withInterrupt((signal) =>
      verifyBundle({
        path: args.bundle,
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        signal,
        onEvent: progress.listener,
      }),
    ).finally(() => {
      progress.stop();
    });
    for (const line of renderVerify(report)) this.log(line);
    if (flags.key === undefined && flags['trusted-root'] === undefined) return report;
    const signatures = await checkSignatures(
      args.bundle,
      signatureTrust(flags),
      flags['require-signed'],
    );
    for (const line of renderSignatures(signatures)) this.log(line);
    return { ...report, signatures };
  }
}

function signatureTrust(flags: {
  key?: string[];
  'trusted-root'?: string;
  'certificate-identity'?: string;
  'certificate-oidc-issuer'?: string;
}): SignatureTrustFiles {
  const subject = flags['certificate-identity'];
  const issuer = flags['certificate-oidc-issuer'];
  return {
    keys: flags.key ?? [],
    ...(flags['trusted-root'] !== undefined ? { trustedRoot: flags['trusted-root'] } : {}),
    ...(subject !== undefined && issuer !== undefined ? { identity: { subject, issuer } } : {}),
  };
}
