import { expect } from 'chai';
import { clientSetup, hostOptionsFromFlags } from '../../src/cli/client-options.js';
import { normalizeHostListFlags } from '../../src/cli/host-list-argv.js';
import { storedCredentialFiles } from '../../src/registry/auth/credentials/index.js';
import { rejection, thrown } from '../rig/rejection.js';

const lists = ['plain-http', 'insecure-skip-tls-verify'];

describe('connection flags', () => {
  it('reads --plain-http alone as every registry, and takes the next word only when it is a host', () => {
    expect(normalizeHostListFlags(['--plain-http'], lists)).to.eql(['--plain-http=*']);
    expect(normalizeHostListFlags(['--plain-http', 'reg.local:5000', 'x'], lists)).to.eql([
      '--plain-http=reg.local:5000',
      'x',
    ]);
    expect(normalizeHostListFlags(['--plain-http', 'localhost', '--json'], lists)).to.eql([
      '--plain-http=localhost',
      '--json',
    ]);
    // An image reference has a '/', docker:// a scheme, nginx is no host by docker's rule.
    for (const next of ['reg.local:5000/app:1', 'docker://a.b/c', 'nginx', '--json']) {
      expect(normalizeHostListFlags(['--insecure-skip-tls-verify', next], lists), next).to.eql([
        '--insecure-skip-tls-verify=*',
        next,
      ]);
    }
    expect(normalizeHostListFlags(['--plain-http=a.b', '--', '--plain-http'], lists)).to.eql([
      '--plain-http=a.b',
      '--',
      '--plain-http',
    ]);
  });

  it('gives each named host its own settings on top of those for every registry', () => {
    expect(
      hostOptionsFromFlags({
        cacert: ['/ca/all.pem', 'reg.local:5000=/ca/one.pem'],
        'plain-http': ['10.0.0.5:5000'],
        'insecure-skip-tls-verify': ['*'],
      }),
    ).to.eql({
      '*': { caFile: '/ca/all.pem', skipVerify: true },
      'reg.local:5000': { caFile: '/ca/one.pem', skipVerify: true },
      '10.0.0.5:5000': { caFile: '/ca/all.pem', plainHttp: true, skipVerify: true },
    });
    // A path with '=' in it that does not start with a host is a file for every registry.
    expect(hostOptionsFromFlags({ cacert: ['./ca=1.pem'] })).to.eql({
      '*': { caFile: './ca=1.pem' },
    });
    expect(thrown(() => hostOptionsFromFlags({ cacert: ['reg.local='] })).code).to.equal('E_USAGE');
  });

  it('gives --username HOST=USER to that host, and a bare USER to the registry written to', async () => {
    const named = await clientSetup(undefined, { username: 'reg.local=alice', password: 'pw1' });
    expect(await named.credentials.get('reg.local')).to.include({ username: 'alice' });
    const bare = await clientSetup('10.0.0.5:5000', { username: 'bob', password: 'pw2' });
    expect(await bare.credentials.get('10.0.0.5:5000')).to.include({ username: 'bob' });
    expect(bare.warnings[0]).to.contain('--password-stdin');
    const nowhere = await rejection(clientSetup(undefined, { username: 'bob', password: 'pw' }));
    expect(nowhere.code).to.equal('E_USAGE');
  });

  it('looks for stored logins where skopeo does, an explicit file first and docker last', () => {
    const env = { HOME: '/h', XDG_RUNTIME_DIR: '/run/u', REGISTRY_AUTH_FILE: '/e/auth.json' };
    expect(storedCredentialFiles({ env })).to.eql([
      { path: '/e/auth.json', required: false },
      { path: '/run/u/containers/auth.json', required: false },
      { path: '/h/.config/containers/auth.json', required: false },
      { path: '/h/.docker/config.json', required: false },
    ]);
    expect(
      storedCredentialFiles({
        env: { HOME: '/h', XDG_CONFIG_HOME: '/c', DOCKER_CONFIG: '/d' },
        authFile: '/a.json',
        dockerConfig: '/d/config.json',
      }),
    ).to.eql([
      { path: '/a.json', required: true },
      { path: '/d/config.json', required: true },
      { path: '/c/containers/auth.json', required: false },
    ]);
  });
});
