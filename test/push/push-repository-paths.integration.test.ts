/**
 * Registries that limit repository depth (issue 14, item 5). A fault proxy
 * in front of the real registry answers 400 NAME_INVALID for every name
 * deeper than three components, as GitLab does for group/project/image.
 * The push's preflight finds out before any write (and in a dry run),
 * --max-nested-paths folds the names to fit and --rewrite maps prefixes;
 * digests are read from the registry itself at the mapped names.
 */
import { expect } from 'chai';
import { checkMirror, mirrorConfig } from '../../src/mirror/index.js';
import { pushImages } from '../../src/push/push-images.js';
import { parsePathRule } from '../../src/push/repository-paths.js';
import { digestAt } from '../rig/registry-client.js';
import { bundleImageSet, seedRelease, writeImageSet } from '../rig/release-fixture.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../rig/fault-proxy.js';
import { startRegistry, type RunningRegistry } from '../rig/registry.js';
import { requireBuiltCli, runCli } from '../rig/cli.js';
import { rejection } from '../rig/rejection.js';
import { anonymousPushArgs, errorOf, why } from '../reliability/network-faults-kit.js';

const limit = 3;

/** The repository name of a /v2/<name>/(blobs|manifests|tags)/… request. */
function nameOf(r: ProxiedRequest): string | undefined {
  return /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(r.path)?.[1];
}
const tooDeep = (r: ProxiedRequest): boolean => (nameOf(r)?.split('/').length ?? 0) > limit;
const isWrite = (r: ProxiedRequest): boolean =>
  r.method === 'PUT' || r.method === 'PATCH' || (r.method === 'POST' && r.path.includes('mount='));

describe('push images into a registry that limits repository depth', function () {
  this.timeout(180_000);
  let source: RunningRegistry;
  let target: RunningRegistry;
  let proxy: FaultProxy;
  let bundle: string;
  let refs: string[];
  let digests: string[];
  let cleanup: () => Promise<void>;

  before(async () => {
    source = await startRegistry('anonymous');
    const release = await seedRelease(source);
    refs = release.images.map((i) => i.ref.slice(source.host.length + 1));
    digests = release.images.map((i) => i.item.manifestDigest);
    const work = await writeImageSet(release.images.map((i) => i.ref));
    bundle = await bundleImageSet(source, work, 'b.tar.xz');
    target = await startRegistry('anonymous');
    proxy = await startFaultProxy(target);
    proxy.addRule({
      match: tooDeep,
      action: {
        kind: 'status',
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          errors: [{ code: 'NAME_INVALID', message: 'too many path components', detail: null }],
        }),
      },
    });
    cleanup = () => work.cleanup();
  });
  after(async () => {
    await proxy.stop();
    await target.stop();
    await source.stop();
    await cleanup();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  const push = (ns: string, extra: Partial<Parameters<typeof pushImages>[0]> = {}) =>
    pushImages({
      source: bundle,
      privateRegistry: `${proxy.host}/${ns}`,
      host: { plainHttp: true },
      ...extra,
    });

  it('fails before any write, and in a dry run, saying how deep the registry goes', async () => {
    for (const dryRun of [false, true]) {
      const e = await rejection(push('group/project', { dryRun }));
      expect(e.code, `dryRun ${dryRun}`).to.equal('E_TARGET_NAME_REJECTED');
      expect(e.exitCode).to.equal(10);
      expect(e.reason).to.equal('repository-too-deep');
      expect(e.details).to.include({ depth: 4, deepestAccepted: 3 });
      expect(e.message).to.include('4 deep').and.include('group/project/release');
      expect(e.message).to.include('Nothing was written');
    }
    expect(proxy.requests.filter(isWrite), 'writes').to.eql([]);
    // One probe per depth (4), then the shorter prefix that it takes (3): both runs.
    const probes = proxy.requests.filter((r) => r.method === 'POST');
    expect(probes.map((r) => nameOf(r))).to.eql([
      'group/project/release/multi',
      'group/project/release',
      'group/project/release/multi',
      'group/project/release',
    ]);
  });

  it('--max-nested-paths folds the names to fit, and the images are whole at the folded names', async () => {
    const r = await push('group/project', { paths: { rules: [], maxDepth: limit } });
    expect(r.images).to.equal(4);
    expect(r.mapping.map((m) => m.target.slice(proxy.host.length + 1))).to.eql([
      'group/project/release-multi:1.0',
      'group/project/release-docker:1.0',
      'group/project/release-list:1.0',
      'group/project/other-repeated:2',
    ]);
    for (const [i, ref] of refs.entries()) {
      const folded = `group/project/${ref.replace('/', '-')}`;
      expect(await digestAt(target, folded), folded).to.equal(digests[i]);
    }
    expect(proxy.requests.filter((q) => q.status === 400 && isWrite(q))).to.eql([]);
  });

  it('--rewrite maps a source prefix, and a shallow namespace needs no fold', async () => {
    const rules = [parsePathRule(`${source.host}/release=rel`), parsePathRule('other=')];
    const r = await push('ns', { paths: { rules } });
    expect(r.mapping.map((m) => m.target.slice(proxy.host.length + 1))).to.eql([
      'ns/rel/multi:1.0',
      'ns/rel/docker:1.0',
      'ns/rel/list:1.0',
      'ns/repeated:2',
    ]);
    expect(await digestAt(target, 'ns/rel/multi:1.0')).to.equal(digests[0]);
    expect(await digestAt(target, 'ns/repeated:2')).to.equal(digests[3]);
  });

  it('mirror check finds the images at the mapped names; mirror config refuses a mapping that moves images', async () => {
    const paths = { rules: [], maxDepth: 2 };
    await push('mc', { paths });
    const report = await checkMirror({
      source: bundle,
      privateRegistry: `${proxy.host}/mc`,
      host: { plainHttp: true },
      paths,
    });
    expect(report.images.map((i) => [i.target.slice(proxy.host.length + 1), i.status])).to.eql([
      ['mc/release-multi:1.0', 'present'],
      ['mc/release-docker:1.0', 'present'],
      ['mc/release-list:1.0', 'present'],
      ['mc/other-repeated:2', 'present'],
    ]);
    const config = (o: Partial<Parameters<typeof mirrorConfig>[0]>) =>
      mirrorConfig({
        privateRegistry: `${proxy.host}/mc`,
        plainHttp: true,
        format: 'config-toml',
        ...o,
      });
    const refused = await rejection(config({ source: bundle, paths }));
    expect(refused.code).to.equal('E_USAGE');
    expect(refused.reason).to.equal('mirror-paths-not-expressible');
    expect(refused.message).to.include('moves 4 of 4 images');
    expect(refused.message).to.include(
      `${source.host}/release/multi:1.0 is pushed to mc/release-multi but asked for at mc/release/multi`,
    );
    expect((await rejection(config({ hosts: ['quay.io'], paths }))).reason).to.equal(
      'mirror-paths-not-expressible',
    );
    // A depth that folds nothing moves nothing: the configuration is written.
    const fits = await config({ source: bundle, paths: { rules: [], maxDepth: 5 } });
    expect(fits.content).to.include('config_path');
  });

  it('the CLI: the error names the flag with the depth that fits; --dry-run shows the mapping; --json records it', async () => {
    requireBuiltCli();
    const refused = await runCli(anonymousPushArgs(bundle, `${proxy.host}/cli/deep`));
    expect(refused.code, why(refused)).to.equal(10);
    expect(errorOf(refused)).to.include({ code: 'E_TARGET_NAME_REJECTED' });
    expect(errorOf(refused).hint).to.include('--max-nested-paths 3');
    const plain = await runCli(
      anonymousPushArgs(bundle, `${proxy.host}/cli/deep`, '--max-nested-paths', '3').filter(
        (a) => a !== '--json',
      ),
    );
    expect(plain.code, why(plain)).to.equal(0);
    const dry = await runCli(
      anonymousPushArgs(bundle, `${proxy.host}/cli/dry`, '--max-nested-paths', '3', '--dry-run'),
    );
    expect(dry.code, why(dry)).to.equal(0);
    const json = JSON.parse(dry.stdout) as { mapping: Array<{ source: string; target: string }> };
    expect(json.mapping[0]).to.eql({
      source: `${source.host}/release/multi:1.0`,
      target: `${proxy.host}/cli/dry/release-multi:1.0`,
    });
    const shown = await runCli([
      ...anonymousPushArgs(bundle, `${proxy.host}/cli/dry`, '--max-nested-paths', '3').filter(
        (a) => a !== '--json',
      ),
      '--dry-run',
    ]);
    expect(shown.stdout).to.include(
      `image  ${source.host}/release/multi:1.0 -> ${proxy.host}/cli/dry/release-multi:1.0`,
    );
    const config = await runCli([
      'mirror',
      'config',
      '--private-registry',
      `${proxy.host}/cli/deep`,
      '--source',
      bundle,
      '--max-nested-paths',
      '3',
      '--json',
    ]);
    expect(config.code, why(config)).to.equal(2);
    expect(errorOf(config).hint).to.include('without --rewrite and --max-nested-paths');
    const bad = await runCli(anonymousPushArgs(bundle, `${proxy.host}/cli`, '--rewrite', 'x'));
    expect(bad.code, why(bad)).to.equal(2);
    expect(errorOf(bad).hint).to.include('--rewrite FROM=TO');
  });
});
