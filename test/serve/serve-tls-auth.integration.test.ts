/**
 * bmpack serve on a site network (issue 16, item 4): HTTPS with the site's
 * certificate and basic authentication from an htpasswd file (bcrypt
 * entries, as `htpasswd -B` writes them and docker-registry requires).
 * Proven by skopeo (--cert-dir, --creds) and by bmpack's own image copy
 * (--cacert, --username, --password-stdin), which read every byte through
 * it; the access log has a line per request and never a credential; with
 * --json, each line is a JSON object.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Agent } from 'undici';
import { serveBundles, type RunningServe } from '../../src/serve/index.js';
import { requireBuiltCli, runCli, startCli, waitForStderr } from '../rig/cli.js';
import { podmanIn } from '../rig/podman.js';
import { runTool } from '../rig/processes.js';
import {
  bundleImageSet,
  seedRelease,
  writeImageSet,
  type ReleaseFixture,
} from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { makeCa, makeServerCert, type CertFiles } from '../rig/tls.js';
import { requireTool } from '../rig/tools.js';
import { why } from '../reliability/network-faults-kit.js';

describe('bmpack serve with TLS and htpasswd basic auth', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let release: ReleaseFixture;
  let work: Awaited<ReturnType<typeof writeImageSet>>;
  let bundle: string;
  let dir: TrackedDir;
  let ca: CertFiles;
  let cert: CertFiles;
  let htpasswd: string;
  let served: RunningServe;
  const password = 's3cret-Pa55';
  const lines: Array<{ method: string; path: string; status: number }> = [];
  let caText = '';

  before(async () => {
    source = await startRegistry('anonymous');
    release = await seedRelease(source);
    work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'b.tar.xz');
    dir = await makeTempDir('bmpack-serve-tls-');
    ca = await makeCa(dir.path);
    cert = await makeServerCert(dir.path, ca);
    caText = await readFile(ca.certFile, 'utf8');
    htpasswd = join(dir.path, 'htpasswd');
    const tool = requireTool('htpasswd', 'apache2-utils');
    await writeFile(htpasswd, await runTool(tool, ['-Bbn', 'field', password]));
    served = await serveBundles({
      sources: [bundle],
      listen: '127.0.0.1:0',
      namespace: 'site',
      tls: cert,
      htpasswd,
      onRequest: (l) => lines.push(l),
    });
  });
  after(async () => {
    await served.close();
    await source.stop();
    await work.cleanup();
    await dir.stop();
  });

  const path = (i: number) => release.images[i]!.ref.slice(source.host.length + 1);
  const sha256 = (b: string | Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

  it('answers 401 with a Basic challenge, in the spec JSON form, without credentials or with a wrong password; 200 with the right ones', async () => {
    const agent = new Agent({ connect: { ca: caText } });
    const ask = (auth?: string) =>
      fetch(`https://${served.address}/v2/`, {
        // @ts-expect-error undici's dispatcher option is not in the DOM fetch types
        dispatcher: agent,
        headers: auth !== undefined ? { authorization: auth } : {},
      });
    const none = await ask();
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.equal('Basic realm="bmpack serve"');
    expect(((await none.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).to.equal(
      'UNAUTHORIZED',
    );
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    expect((await ask(basic('field', 'wrong'))).status).to.equal(401);
    expect((await ask(basic('nobody', password))).status).to.equal(401);
    const ok = await ask(basic('field', password));
    expect(ok.status).to.equal(200);
    await agent.close();
  });

  it('skopeo copies an image over TLS with its credentials, digests identical; refused with others', async () => {
    const skopeo = requireTool('skopeo', 'skopeo');
    const certDir = join(dir.path, 'certs');
    await mkdir(certDir, { recursive: true });
    await copyFile(ca.certFile, join(certDir, 'ca.crt'));
    const out = join(dir.path, 'layout');
    await runTool(skopeo, [
      'copy',
      '--all',
      '--preserve-digests',
      '--src-cert-dir',
      certDir,
      '--src-creds',
      `field:${password}`,
      `docker://${served.address}/site/${path(0)}`,
      `oci:${out}:copied`,
    ]);
    const raw = await runTool(skopeo, ['inspect', '--raw', `oci:${out}:copied`]);
    expect(sha256(raw)).to.equal(release.images[0]!.item.manifestDigest);
    const refused = await runTool(skopeo, [
      'inspect',
      '--cert-dir',
      certDir,
      '--creds',
      'field:wrong',
      `docker://${served.address}/site/${path(0)}`,
    ]).then(
      () => 'passed',
      (err: unknown) => String(err),
    );
    expect(refused).to.match(/401|unauthorized|authentication required/i);
  });

  it('podman pulls an image from it over TLS with its credentials, digest identical', async () => {
    const podman = podmanIn(join(dir.path, 'podman'));
    const certDir = join(dir.path, 'podman-certs');
    await mkdir(certDir, { recursive: true });
    await copyFile(ca.certFile, join(certDir, 'ca.crt'));
    const conf = join(dir.path, 'registries.conf');
    await writeFile(conf, '');
    const env = { CONTAINERS_REGISTRIES_CONF: conf };
    const ref = `${served.address}/site/${path(2)}`;
    lines.length = 0;
    await podman(
      ['pull', '--quiet', '--cert-dir', certDir, '--creds', `field:${password}`, ref],
      env,
    );
    expect(await podman(['image', 'inspect', '--format', '{{.Digest}}', ref], env)).to.equal(
      release.images[2]!.item.manifestDigest,
    );
    expect(lines.filter((l) => l.method === 'GET' && l.status === 200).length).to.be.greaterThan(2);
  });

  it('bmpack image copy reads an image from it (--cacert, --username, --password-stdin) with identical digests; the log names no credential', async () => {
    requireBuiltCli();
    lines.length = 0;
    const out = join(dir.path, 'bmpack-layout');
    const run = await runCli(
      [
        'image',
        'copy',
        `docker://${served.address}/site/${path(1)}`,
        `oci:${out}:copied`,
        '--cacert',
        ca.certFile,
        '--username',
        `${served.address}=field`,
        '--password-stdin',
        '--json',
      ],
      { input: `${password}\n` },
    );
    expect(run.code, why(run)).to.equal(0);
    // bmpack checks every digest as it passes; the layout names what it wrote.
    const copied = JSON.parse(run.stdout) as { images: Array<{ digest: string }> };
    expect(copied.images[0]?.digest).to.equal(release.images[1]!.item.manifestDigest);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests.map((m) => m.digest)).to.eql([release.images[1]!.item.manifestDigest]);
    expect(lines.filter((l) => l.status === 200).length).to.be.greaterThan(2);
    expect(JSON.stringify(lines)).to.not.contain(password);
  });

  it('the CLI with --json: one JSON access line per request on stderr, never the password', async () => {
    requireBuiltCli();
    const cli = startCli([
      'serve',
      '--source',
      bundle,
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      cert.keyFile,
      '--htpasswd',
      htpasswd,
      '--json',
    ]);
    const address = await waitForStderr(cli, /on https:\/\/([^/\s]+)/);
    const agent = new Agent({ connect: { ca: caText } });
    const res = await fetch(`https://${address}/v2/_catalog`, {
      // @ts-expect-error undici's dispatcher option is not in the DOM fetch types
      dispatcher: agent,
      headers: { authorization: `Basic ${Buffer.from(`field:${password}`).toString('base64')}` },
    });
    expect(res.status).to.equal(200);
    await res.arrayBuffer();
    await agent.close();
    cli.child.kill('SIGTERM');
    const done = await cli.done;
    expect(done.code, done.stderr).to.equal(0);
    const access = done.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(access.find((a) => a.path === '/v2/_catalog')).to.include({
      type: 'access',
      method: 'GET',
      status: 200,
    });
    expect(done.stderr).to.not.contain(password).and.not.contain('Basic ');
  });

  it('refuses an htpasswd entry that is not bcrypt, naming the file and line', async () => {
    const md5 = join(dir.path, 'md5.htpasswd');
    await writeFile(md5, '# comment\nfield:$apr1$abcdefgh$0123456789abcdefghijkl\n');
    const err = await serveBundles({
      sources: [bundle],
      listen: '127.0.0.1:0',
      htpasswd: md5,
    }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'E_CONFIG_INVALID');
    expect(err).to.have.property('message').that.contains(`${md5}:2`);
  });
});
