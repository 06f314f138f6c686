import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { makeTempDir, type TrackedDir } from './temp-dir.js';
import { makeCa, makeServerCert } from './tls.js';

describe('rig TLS material', () => {
  let dir: string;
  let work: TrackedDir;
  before(async () => {
    work = await makeTempDir('bmpack-tls-test-');
    dir = work.path;
  });
  after(async () => {
    await work.stop();
  });

  it('makes a CA and a server certificate for 127.0.0.1 signed by it', async () => {
    const ca = await makeCa(dir);
    const server = await makeServerCert(dir, ca, { ips: ['127.0.0.1'], dns: ['localhost'] });
    const caCert = new X509Certificate(await readFile(ca.certFile));
    const cert = new X509Certificate(await readFile(server.certFile));
    expect(caCert.ca).to.equal(true);
    expect(cert.ca).to.equal(false);
    expect(cert.checkIssued(caCert)).to.equal(true);
    expect(cert.verify(caCert.publicKey)).to.equal(true);
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkIP('127.0.0.2')).to.equal(undefined);
    expect(cert.subjectAltName).to.include('IP Address:127.0.0.1');
  });
});
