import { expect } from 'chai';
import { BmpackError } from '../../src/errors.js';
import { cliHint } from '../../src/cli/error-hints.js';
import { mirrorConfigOutput } from '../../src/cli/mirror-config/render.js';
import { MirrorCheckError, type MirrorCheckReport } from '../../src/mirror/check-mirror.js';
import { mirrorConfig, type MirrorConfigOptions } from '../../src/mirror/mirror-config.js';
import { hostsFromFlag } from '../../src/mirror/mirrored-hosts.js';
import { mirrorRuntimeConfig } from '../../src/mirror/runtime-config.js';
import { rejection } from '../rig/rejection.js';

const configFlags = new Set(['private-registry', 'hosts', 'source', 'cacert', 'plain-http']);
configFlags.add('rewrite').add('max-nested-paths');
for (const f of ['insecure-skip-tls-verify', 'format', 'output', 'install-dir', 'cluster-name'])
  configFlags.add(f);
configFlags.add('secret-namespace').add('pull-credential-config').add('runtime');
const checkFlags = new Set(['source', 'private-registry', 'config', 'config-only', 'cacert']);

const refused = (o: Partial<MirrorConfigOptions>) =>
  rejection(mirrorConfig({ privateRegistry: 'reg:5000', ...o }));

describe('mirror errors: reasons in the library, flags in the CLI', () => {
  it('words mirror config’s refusals with its flags, and the library’s without', async () => {
    const cases: Array<[BmpackError, string]> = [
      [await refused({ plainHttp: true, skipVerify: true }), 'Drop --plain-http'],
      [await refused({ installDir: 'certs.d' }), 'Give --install-dir'],
      [await refused({ clusterName: 'u1' }), 'add --runtime bmctl (or --format bmctl)'],
      [await refused({ format: 'bmctl', clusterName: 'U_1' }), 'Give --cluster-name'],
      [await refused({ format: 'bmctl', secretNamespace: 'ns' }), 'add --cluster-name'],
      [await refused({ hosts: ['a.io'], source: '/b.tar' }), 'Give --hosts or --source'],
      [await refused({ hosts: ['https://a.io'] }), 'Write --hosts as HOST[:PORT]'],
      [
        await refused({ hosts: ['a.io'], paths: { rules: [], maxDepth: 1 }, format: 'bmctl' }),
        "The files of bmctl keep every image's path: write --runtime crio, podman, k3s or rke2",
      ],
      [
        await rejection(
          mirrorRuntimeConfig({
            privateRegistry: 'reg:5000',
            runtime: 'k3s',
            hosts: ['a.io'],
            paths: { rules: [], maxDepth: 1 },
            output: '/nonexistent/never-written',
          }),
        ),
        'Give --source the bundle that was pushed',
      ],
    ];
    for (const [e, words] of cases) {
      expect(e.reason, e.message).to.not.equal(undefined);
      expect(cliHint(e, configFlags)).to.contain(words);
      expect(`${e.message} ${e.hint ?? ''}`).to.not.match(/(?<![\w-])--[a-z]/);
    }
    expect(() => hostsFromFlag([' , '])).to.throw(
      BmpackError,
      'the host list names no registry host',
    );
  });

  it('tells mirror check to push again or to regenerate, naming the bundle and the mirror', () => {
    const report = (notServed: boolean): MirrorCheckReport => ({
      mirror: 'https://reg:5000/v2/ns',
      images: notServed
        ? [{ ref: 'a', target: 'reg:5000/ns/a', status: 'missing', expected: 'x', actual: null }]
        : [],
      config: {
        path: '/c',
        kind: 'hosts-dir',
        hosts: [],
        problems: ['p'],
        notes: [],
        ok: false,
        images: [],
      },
      ok: false,
      warnings: [],
    });
    const missing = new MirrorCheckError(report(true), 'reg:5000/ns', 'b.tar.xz');
    expect(cliHint(missing, checkFlags)).to.equal(
      'Push the bundle again (bmpack push images --source b.tar.xz --private-registry reg:5000/ns); until then containerd falls back to the public registry for these, which fails in an air-gapped site.',
    );
    const wrong = new MirrorCheckError(report(false), 'reg:5000/ns', 'b.tar.xz');
    expect(cliHint(wrong, checkFlags)).to.equal(
      'Regenerate the configuration with bmpack mirror config --source b.tar.xz --private-registry reg:5000/ns and install it on the nodes.',
    );
    expect(wrong.hint).to.not.contain('--');
  });

  it('words mirror config’s next steps and warnings with its flags', async () => {
    const r = await mirrorConfig({
      privateRegistry: 'reg:5000/ns',
      format: 'bmctl',
      skipVerify: true,
      hosts: ['docker.io'],
    });
    expect(r.warnings.map((w) => w.message).join()).to.not.contain('--');
    const out = mirrorConfigOutput(r, 'reg:5000/ns');
    expect(out.warnings).to.deep.equal([
      'bmctl registryMirrors has no skip-verify setting; give the CA with --cacert instead',
    ]);
    expect(out.guide).to.deep.equal([
      'Put registryMirrors in the header of the cluster config file, then run bmctl create cluster or bmctl update cluster.',
    ]);
    const none = mirrorConfigOutput(
      await mirrorConfig({ privateRegistry: 'reg:5000', format: 'config-toml' }),
      'reg:5000',
    );
    expect(none.warnings[0]).to.equal(
      'only gcr.io is mirrored: name registries with --hosts, or --source a bundle',
    );
    expect(none.guide.at(-1)).to.contain(
      'bmpack mirror check --config /etc/containerd/config.toml',
    );
  });
});
