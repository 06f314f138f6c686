/**
 * Issue #14, item 3: proxies as sites have them. `bundle create` and `push
 * images` (the built CLI) through a real squid with the access rules Debian
 * ships: plain-HTTP registries in absolute form (RFC 9112 §3.2.2), TLS ones
 * through CONNECT, which the stock rules allow to port 443 only — a refusal
 * that must be reported as the proxy's, once, with what to do about it —
 * and proxy credentials in the proxy URL, never printed.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli, type CliRun } from '../rig/cli.js';
import { bundleImageSet, seedRelease, writeImageSet } from '../rig/release-fixture.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { startSquid, type RunningSquid, type SquidLogLine } from '../rig/squid.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { anonymousPushArgs, cliEnv, errorOf, jsonOf, why } from './network-faults-kit.js';

/** The log lines about `host` (squid's own start-up probe and other registries left out). */
const about = (log: readonly SquidLogLine[], host: string): SquidLogLine[] =>
  log.filter((l) => l.url === host || l.url.startsWith(`http://${host}/`));

/** `push images` of `bundle` into a TLS registry trusted through its CA file. */
const tlsPushArgs = (bundle: string, target: RunningRegistry): string[] => [
  'push',
  'images',
  '--source',
  bundle,
  '--private-registry',
  target.host,
  '--cacert',
  target.caFile ?? '',
  '--need-credential=false',
  '--json',
];

describe('proxies: bmpack through a stock squid', function () {
  this.timeout(120_000);
  let source: RunningRegistry;
  let dir: TrackedDir;
  let list: string;
  let bundle: string;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    source = await startRegistry('anonymous');
    cleanups.push(() => source.stop());
    const release = await seedRelease(source, 20_000);
    const work = await writeImageSet(release.images.map((i) => i.ref));
    cleanups.push(work.cleanup);
    list = work.file;
    bundle = await bundleImageSet(source, work, 'bundle.tar.xz');
    dir = await makeTempDir('bmpack-squid-test-');
    cleanups.push(() => dir.stop());
  });
  after(async () => {
    for (const stop of cleanups.reverse()) await stop();
  });

  describe('the stock rules (CONNECT to port 443 only)', () => {
    let squid: RunningSquid;
    before(async () => {
      squid = await startSquid();
    });
    after(() => squid.stop());

    it('bundle create from a plain-HTTP registry: absolute-form requests, no tunnel', async () => {
      const run = await runCli(
        [
          'bundle',
          'create',
          '--manifest',
          list,
          '--insecure-registry',
          source.host,
          '--cache-dir',
          join(dir.path, 'cache-create'),
          '--output',
          join(dir.path, 'created.tar.xz'),
          '--json',
        ],
        { env: cliEnv({ proxy: squid.url }) },
      );
      expect(run.code, why(run)).to.equal(0);
      expect(jsonOf(run).sha256).to.be.a('string');
      const lines = about(await squid.accessLog(), source.host);
      const gets = lines.filter((l) => l.method === 'GET' && l.status === 200);
      expect(gets.length, 'GETs squid passed on').to.be.greaterThan(3);
      expect(gets.some((l) => l.url.includes('/blobs/sha256:'))).to.equal(true);
      // An insecure registry is tried over HTTPS first: that one probe is the
      // only CONNECT (refused), and plain HTTP never goes through a tunnel.
      const connects = lines.filter((l) => l.method === 'CONNECT');
      expect(connects.map((l) => l.result)).to.deep.equal(['TCP_DENIED/403']);
    });

    it('push images to a plain-HTTP registry: absolute-form requests, no CONNECT', async () => {
      const target = await startRegistry('anonymous');
      try {
        const run = await runCli(anonymousPushArgs(bundle, target.host), {
          env: cliEnv({ proxy: squid.url }),
        });
        expect(run.code, why(run)).to.equal(0);
        const lines = about(await squid.accessLog(), target.host);
        expect(lines.filter((l) => l.method === 'CONNECT')).to.deep.equal([]);
        expect(lines.filter((l) => l.method === 'PUT' && l.status === 201)).to.not.deep.equal([]);
        expect(lines.every((l) => l.url.startsWith(`http://${target.host}/v2/`))).to.equal(true);
      } finally {
        await target.stop();
      }
    });

    it('push images to a TLS registry on another port: the proxy refused, said once, not retried', async () => {
      const target = await startRegistry('anonymous', { tls: true });
      try {
        const run = await runCli(tlsPushArgs(bundle, target), {
          env: cliEnv({ proxy: squid.url }),
        });
        expect(run.code, why(run)).to.equal(6);
        const error = errorOf(run);
        expect(error.code).to.equal('E_NETWORK');
        expect(error.message).to.include('the proxy (HTTPS_PROXY) refused the CONNECT');
        expect(error.message).to.include('HTTP 403');
        expect(error.message).to.not.include('tried');
        expect(error.hint).to.include('NO_PROXY');
        expect(error.hint).to.include('CONNECT !SSL_ports');
        expect(error.hint).to.include('http://user:pass@proxy:3128');
        const connects = about(await squid.accessLog(), target.host);
        expect(connects.map((l) => `${l.method} ${l.result}`)).to.deep.equal([
          'CONNECT TCP_DENIED/403',
        ]);
      } finally {
        await target.stop();
      }
    });
  });

  it('push images to a TLS registry whose port the proxy allows CONNECT to', async () => {
    const target = await startRegistry('anonymous', { tls: true });
    const port = Number(target.host.split(':')[1]);
    const squid = await startSquid({ connectPorts: [port] });
    try {
      const run = await runCli(tlsPushArgs(bundle, target), { env: cliEnv({ proxy: squid.url }) });
      expect(run.code, why(run)).to.equal(0);
      const lines = about(await squid.accessLog(), target.host);
      expect(lines.length).to.be.greaterThan(0);
      expect(lines.every((l) => l.method === 'CONNECT' && l.result === 'TCP_TUNNEL/200')).to.equal(
        true,
      );
    } finally {
      await squid.stop();
      await target.stop();
    }
  });

  describe('a proxy that wants credentials', () => {
    const auth = { username: 'site-user', password: 'pr0xy-S3cret-w0rd' };
    let squid: RunningSquid;
    let target: RunningRegistry;
    before(async () => {
      squid = await startSquid({ auth });
      target = await startRegistry('anonymous');
    });
    after(async () => {
      await target.stop();
      await squid.stop();
    });
    const withCredentials = (): string =>
      squid.url.replace('http://', `http://${auth.username}:${auth.password}@`);
    const printed = (run: CliRun): string => `${run.stdout}\n${run.stderr}`;

    it('takes them from the proxy URL, and prints the password nowhere (--debug included)', async () => {
      const run = await runCli([...anonymousPushArgs(bundle, target.host), '--debug'], {
        env: cliEnv({ proxy: withCredentials() }),
      });
      expect(run.code, why(run)).to.equal(0);
      expect(printed(run)).to.not.include(auth.password);
      const lines = about(await squid.accessLog(), target.host);
      expect(lines.filter((l) => l.status === 201).length).to.be.greaterThan(0);
      expect(lines.filter((l) => l.status === 407)).to.deep.equal([]);
    });

    it('without them: the proxy asks for credentials (407), said once, not retried', async () => {
      const before = about(await squid.accessLog(), target.host).length;
      const run = await runCli(anonymousPushArgs(bundle, target.host), {
        env: cliEnv({ proxy: squid.url }),
      });
      expect(run.code, why(run)).to.equal(6);
      const error = errorOf(run);
      expect(error.message).to.include('the proxy (HTTP_PROXY) asks for credentials (HTTP 407');
      expect(error.hint).to.include('HTTP_PROXY=http://user:pass@proxy:3128');
      const refused = about(await squid.accessLog(), target.host).slice(before);
      expect(refused.map((l) => l.status)).to.deep.equal([407]);
    });

    it('with a wrong password: refused, and that password is not printed either', async () => {
      const wrong = squid.url.replace('http://', `http://${auth.username}:Wr0ng-pass-x@`);
      const run = await runCli([...anonymousPushArgs(bundle, target.host), '--debug'], {
        env: cliEnv({ proxy: wrong }),
      });
      expect(run.code, why(run)).to.equal(6);
      expect(errorOf(run).message).to.include('asks for credentials');
      expect(printed(run)).to.not.include('Wr0ng-pass-x');
    });
  });
});
