/**
 * Test-time TLS material made with the openssl CLI, so that nothing secret or
 * expiring is committed. Keys are EC P-256: quick to generate and accepted by
 * Go's crypto/tls (docker-registry) and node alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './processes.js';
import { requireTool } from './tools.js';

/** A PEM certificate and its PEM private key, as files. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** Subject alternative names for a server certificate. */
export interface SanOptions {
  ips?: readonly string[];
  dns?: readonly string[];
  /** File name stem in `dir` (default `server`); pick another to make several. */
  name?: string;
}

const DAYS = '2';

function openssl(): string {
  return requireTool('openssl', 'openssl');
}

/** Makes a self-signed CA (`ca.crt`, `ca.key`) in `dir`. */
export async function makeCa(dir: string): Promise<CertFiles> {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  // prettier-ignore
  await runTool(openssl(), [
    'req', '-x509', '-new', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile, '-days', DAYS,
    '-subj', '/CN=bmpack test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile, keyFile };
}

/**
 * Makes a server certificate signed by `ca`, valid for the given IPs and DNS
 * names (Go ignores the CN, so the SAN is what counts; an IP needs an IP SAN).
 */
export async function makeServerCert(
  dir: string,
  ca: CertFiles,
  san: SanOptions = { ips: ['127.0.0.1'], dns: ['localhost'] },
): Promise<CertFiles> {
  const stem = san.name ?? 'server';
  const certFile = join(dir, `${stem}.crt`);
  const keyFile = join(dir, `${stem}.key`);
  const csrFile = join(dir, `${stem}.csr`);
  const extFile = join(dir, `${stem}.ext`);
  const names = [
    ...(san.ips ?? []).map((ip) => `IP:${ip}`),
    ...(san.dns ?? []).map((dns) => `DNS:${dns}`),
  ];
  if (names.length === 0) throw new Error('makeServerCert: give at least one IP or DNS name');
  await writeFile(
    extFile,
    [
      `subjectAltName=${names.join(',')}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  const cn = san.dns?.[0] ?? san.ips?.[0] ?? stem;
  // prettier-ignore
  await runTool(openssl(), [
    'req', '-new', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${cn}`,
  ]);
  // prettier-ignore
  await runTool(openssl(), [
    'x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-CAcreateserial', '-out', certFile, '-days', DAYS, '-sha256', '-extfile', extFile,
  ]);
  return { certFile, keyFile };
}
