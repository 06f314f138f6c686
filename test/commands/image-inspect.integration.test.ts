import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { listRepositoryTags } from '../../src/image/list-tags.js';
import { requireBuiltCli } from '../rig/cli.js';
import { clientFor } from '../rig/registry-client.js';
import { startFaultProxy } from '../rig/fault-proxy.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bmpack image inspect', function () {
  this.timeout(120_000);
  let reg: RunningRegistry;
  let tls: RunningRegistry;
  const amd = makeImage({ seed: 51, layers: 1, layerSize: 500, format: 'oci' });
  const arm = makeImage({
    seed: 52,
    layers: 1,
    layerSize: 500,
    format: 'oci',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const index = makeIndex([amd, arm], 'oci');

  before(async () => {
    reg = await startRegistry('anonymous');
    await seedImage(reg, index, 'cli/multi:1');
    tls = await startRegistry('htpasswd');
    await seedImage(tls, amd, 'cli/single:1');
  });
  after(async () => {
    await reg.stop();
    await tls.stop();
  });

  it('prints the digest and platforms as JSON', async () => {
    const { stdout, error } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:1`, '--plain-http', '--json'],
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as { digest: string; platforms: string[] };
    expect(out.digest).to.equal(index.manifestDigest);
    expect(out.platforms).to.deep.equal(['linux/amd64', 'linux/arm64']);
  });

  it('prints a human summary without --json', async () => {
    const { stdout } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:1`, '--plain-http'],
      { root },
    );
    expect(stdout).to.contain(index.manifestDigest);
    expect(stdout).to.contain('linux/arm64');
  });

  it('logs in with --username and --password, warning about the password flag', async () => {
    const { stdout, stderr, error } = await runCommand(
      [
        'image',
        'inspect',
        `${tls.host}/cli/single:1`,
        '--cacert',
        tls.caFile!,
        '--username',
        tls.username!,
        '--password',
        tls.password!,
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    expect((JSON.parse(stdout) as { digest: string }).digest).to.equal(amd.manifestDigest);
    expect(stderr).to.contain('--password-stdin');
    expect(stdout + stderr).to.not.contain(tls.password!);
  });

  it('reports an unknown tag with E_NOT_FOUND and exit code 5 in JSON', async () => {
    const { stdout, error } = await runCommand(
      ['image', 'inspect', `${reg.host}/cli/multi:nope`, '--plain-http', '--json'],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(5);
    const out = JSON.parse(stdout) as { error: { code: string; message: string; hint: string } };
    expect(out.error.code).to.equal('E_NOT_FOUND');
    expect(out.error.message).to.contain('cli/multi:nope');
    expect(out.error.hint).to.be.a('string');
  });

  it('reports an invalid reference with a hint, exit code 3 and no stack trace', async () => {
    const { stderr, error } = await runCommand(['image', 'inspect', 'Not//Valid'], { root });
    expect(error?.oclif?.exit).to.equal(3);
    expect(stderr).to.contain('E_REF_INVALID');
    expect(stderr).to.contain('Hint:');
    expect(stderr).to.not.match(/\n\s+at /);
  });

  it('shows the stack trace with --debug', async () => {
    const { stderr } = await runCommand(['image', 'inspect', 'Not//Valid', '--debug'], { root });
    expect(stderr).to.match(/\n\s+at /);
  });

  it('hints at --cacert when the registry CA is unknown', async () => {
    const { stderr, error } = await runCommand(
      ['image', 'inspect', `${tls.host}/cli/single:1`, '--username', 'u', '--password', 'p'],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(8);
    expect(stderr).to.contain('--cacert');
  });

  it('--platform inspects the manifest an index holds for it; one it lacks is E_PLATFORM_MISSING', async () => {
    const { stdout, error } = await runCommand(
      [
        'image',
        'inspect',
        `${reg.host}/cli/multi:1`,
        '--plain-http',
        '--platform',
        'linux/arm64',
        '--json',
      ],
      { root },
    );
    expect(error).to.equal(undefined);
    const out = JSON.parse(stdout) as { digest: string; index: string; layers: number };
    expect(out.digest).to.equal(arm.manifestDigest);
    expect(out.index).to.equal(index.manifestDigest);
    expect(out.layers).to.equal(1);
    const missing = await runCommand(
      [
        'image',
        'inspect',
        `${reg.host}/cli/multi:1`,
        '--plain-http',
        '--platform',
        'linux/s390x',
        '--json',
      ],
      { root },
    );
    expect(missing.error?.oclif?.exit).to.equal(5);
    expect(missing.stdout).to.contain('E_PLATFORM_MISSING').and.contain('linux/amd64, linux/arm64');
  });

  it('--raw prints the exact manifest bytes: their sha256 is the digest', () => {
    requireBuiltCli();
    for (const [extra, digest] of [
      [[], index.manifestDigest],
      [['--platform', 'linux/amd64'], amd.manifestDigest],
    ] as const) {
      const run = runCliBytes([
        'image',
        'inspect',
        `${reg.host}/cli/multi:1`,
        '--plain-http',
        '--raw',
        ...extra,
      ]);
      expect(`sha256:${createHash('sha256').update(run).digest('hex')}`).to.equal(digest);
    }
  });

  it('image tags lists every tag of a repository, and E_NOT_FOUND for none', async () => {
    const client = clientFor(reg);
    try {
      const bytes = index.manifest;
      for (const tag of ['2', '3', 'a', 'b'])
        await client.putManifest(
          { registry: reg.host, repository: 'cli/multi' },
          tag,
          bytes,
          index.mediaType,
        );
    } finally {
      await client.close();
    }
    // distribution 2.8 ignores n and sends every tag at once, in storage order.
    const all = await listRepositoryTags({
      repository: `${reg.host}/cli/multi`,
      host: { plainHttp: true },
    });
    expect([...all.tags].sort()).to.eql(['1', '2', '3', 'a', 'b']);
    const { stdout, error } = await runCommand(
      ['image', 'tags', `${reg.host}/cli/multi`, '--plain-http'],
      { root },
    );
    expect(error).to.equal(undefined);
    expect(stdout.trim().split('\n').sort()).to.eql(['1', '2', '3', 'a', 'b']);
    const json = await runCommand(
      ['image', 'tags', `${reg.host}/cli/none`, '--plain-http', '--json'],
      {
        root,
      },
    );
    expect(json.stdout).to.contain('E_NOT_FOUND');
  });

  it('image tags follows the Link pages a registry gives (pages served by a proxy in front: distribution 2.8 does not page)', async () => {
    const proxy = await startFaultProxy(reg);
    try {
      const page = (tags: string[], next?: string) => ({
        kind: 'status' as const,
        status: 200,
        headers: {
          'content-type': 'application/json',
          ...(next !== undefined ? { link: `<${next}>; rel="next"` } : {}),
        },
        body: JSON.stringify({ name: 'cli/multi', tags }),
      });
      const at = (q: string) => (r: { path: string }) => r.path === `/v2/cli/multi/tags/list?${q}`;
      proxy.addRule({
        match: at('n=2'),
        action: page(['1', '2'], '/v2/cli/multi/tags/list?n=2&last=2'),
      });
      proxy.addRule({
        match: at('n=2&last=2'),
        action: page(['3', 'a'], '/v2/cli/multi/tags/list?n=2&last=a'),
      });
      proxy.addRule({ match: at('n=2&last=a'), action: page(['b']) });
      const paged = await listRepositoryTags({
        repository: `${proxy.host}/cli/multi`,
        host: { plainHttp: true },
        pageSize: 2,
      });
      expect(paged.tags).to.eql(['1', '2', '3', 'a', 'b']);
      expect(proxy.requests.filter((r) => r.path.includes('/tags/list'))).to.have.length(3);
    } finally {
      await proxy.stop();
    }
  });
});

/** The stdout bytes of a built-CLI run that succeeds. */
function runCliBytes(args: string[]): Buffer {
  return execFileSync(process.execPath, [join(root, 'bin', 'run.js'), ...args]);
}
