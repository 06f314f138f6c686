import { expect } from 'chai';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { redactText } from '../../../src/redact.js';
import {
  chainCredentials,
  dockerConfigCredentials,
  staticCredentials,
} from '../../../src/registry/auth/credentials/index.js';
import type { CredentialStore } from '../../../src/registry/auth/credentials/index.js';
import { rejection } from '../../rig/rejection.js';
import { makeTempDir, type TrackedDir } from '../../rig/temp-dir.js';

/**
 * A real credential helper, answering by the server URL it reads on stdin
 * and logging every request, so that the tests exercise the actual
 * process protocol (docker-credential-helpers client.Get).
 */
const helperScript = `#!/bin/sh
server=$(cat)
echo "$server" >> "$BMPACK_HELPER_LOG"
[ "$1" = get ] || { echo "unexpected action $1"; exit 2; }
case "$server" in
  helper.example:5000) printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helper-secret-0001"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-identity-0002"}' "$server" ;;
  missing.example) echo "credentials not found in native keychain"; exit 1 ;;
  broken.example) echo "keychain is locked: cannot unlock"; exit 1 ;;
  leaky.example) printf '{"Username":"u","Secret":"leaked-secret-0003"}'; exit 1 ;;
  garbage.example) printf 'Username=u Secret=garbage-secret-0004 {'; exit 0 ;;
  shape.example) printf '{"Username":"u","Secret":42}' ;;
  slow.example) sleep 5 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

/** A second helper, to tell credsStore and credHelpers apart. */
const storeScript = `#!/bin/sh
server=$(cat)
echo "store:$server" >> "$BMPACK_HELPER_LOG"
printf '{"ServerURL":"%s","Username":"storeuser","Secret":"store-secret-0005"}' "$server"
`;

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

describe('registry credentials', () => {
  let dir: string;
  let work: TrackedDir;
  let binDir: string;
  let env: NodeJS.ProcessEnv;
  let logPath: string;
  let configDir: string;

  async function writeConfig(config: unknown): Promise<string> {
    const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
    const path = join(configDir, 'config.json');
    await writeFile(path, text);
    return path;
  }

  function store(): CredentialStore {
    return dockerConfigCredentials({ env, helperTimeoutMs: 2000 });
  }

  async function helperCalls(): Promise<string[]> {
    try {
      return (await readFile(logPath, 'utf8')).split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  }

  beforeEach(async () => {
    work = await makeTempDir('bmpack-creds-');
    dir = work.path;
    binDir = join(dir, 'bin');
    configDir = join(dir, 'docker');
    logPath = join(dir, 'helper.log');
    await mkdir(binDir);
    await mkdir(configDir);
    for (const [name, script] of [
      ['docker-credential-bmpacktest', helperScript],
      ['docker-credential-bmpackstore', storeScript],
    ] as const) {
      await writeFile(join(binDir, name), script);
      await chmod(join(binDir, name), 0o755);
    }
    env = {
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
      DOCKER_CONFIG: configDir,
      HOME: join(dir, 'home'),
      BMPACK_HELPER_LOG: logPath,
    };
  });

  afterEach(async () => {
    await work.stop();
  });

  describe('auths in config.json', () => {
    it('decodes "auth", splitting at the first colon', async () => {
      await writeConfig({ auths: { 'reg.example': { auth: b64('alice:pa:ss-0010') } } });
      expect(await store().get('reg.example')).to.deep.equal({
        username: 'alice',
        password: 'pa:ss-0010',
      });
    });

    it('trims NULs from the decoded password', async () => {
      await writeConfig({ auths: { 'reg.example': { auth: b64('alice:secret-0011\0\0') } } });
      expect(await store().get('reg.example')).to.deep.equal({
        username: 'alice',
        password: 'secret-0011',
      });
    });

    it('reads username and password fields', async () => {
      await writeConfig({ auths: { 'reg.example': { username: 'bob', password: 'secret-0012' } } });
      expect(await store().get('reg.example')).to.deep.equal({
        username: 'bob',
        password: 'secret-0012',
      });
    });

    it('lets "auth" win over username and password', async () => {
      await writeConfig({
        auths: {
          'reg.example': { auth: b64('alice:a-0013'), username: 'bob', password: 'b-0013' },
        },
      });
      expect(await store().get('reg.example')).to.deep.equal({
        username: 'alice',
        password: 'a-0013',
      });
    });

    it('reads identitytoken and registrytoken', async () => {
      await writeConfig({
        auths: {
          'id.example': {
            username: '00000000-0000-0000-0000-000000000000',
            identitytoken: 'refresh-0014',
          },
          'tok.example': { registrytoken: 'bearer-0015' },
        },
      });
      const s = store();
      expect(await s.get('id.example')).to.deep.equal({
        username: '00000000-0000-0000-0000-000000000000',
        identityToken: 'refresh-0014',
      });
      expect(await s.get('tok.example')).to.deep.equal({ registryToken: 'bearer-0015' });
    });

    it('matches URL keys by hostname, preferring the exact key', async () => {
      await writeConfig({
        auths: {
          'https://reg:5000/v1/': { username: 'url', password: 'secret-0016' },
          'http://plain.example': { username: 'plain', password: 'secret-0017' },
          'https://exact.example/v2/': { username: 'url', password: 'secret-0018' },
          'exact.example': { username: 'exact', password: 'secret-0019' },
        },
      });
      const s = store();
      expect((await s.get('reg:5000'))?.username).to.equal('url');
      expect((await s.get('plain.example'))?.username).to.equal('plain');
      expect((await s.get('exact.example'))?.username).to.equal('exact');
      expect(await s.get('reg')).to.equal(undefined);
      expect(await s.get('reg:5001')).to.equal(undefined);
    });

    it("uses Docker Hub's legacy key for docker.io and its aliases", async () => {
      await writeConfig({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:secret-0020') },
          'https://registry-1.docker.io': { auth: b64('other:secret-0021') },
        },
      });
      const s = store();
      for (const registry of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
        expect((await s.get(registry))?.username, registry).to.equal('hubuser');
      }
    });

    it('also accepts a podman-style "docker.io" key', async () => {
      await writeConfig({ auths: { 'docker.io': { auth: b64('podman:secret-0022') } } });
      expect((await store().get('docker.io'))?.username).to.equal('podman');
    });

    it('matches field names case-insensitively, like Go', async () => {
      await writeConfig({
        Auths: { 'reg.example': { Username: 'carol', Password: 'secret-0023' } },
      });
      expect(await store().get('reg.example')).to.deep.equal({
        username: 'carol',
        password: 'secret-0023',
      });
    });

    it('returns undefined for unknown registries and empty entries', async () => {
      await writeConfig({ auths: { 'empty.example': {}, 'null.example': null }, HttpHeaders: {} });
      const s = store();
      expect(await s.get('empty.example')).to.equal(undefined);
      expect(await s.get('null.example')).to.equal(undefined);
      expect(await s.get('other.example')).to.equal(undefined);
    });

    it('registers every secret it loads for redaction', async () => {
      const auth = b64('dave:secret-0024');
      await writeConfig({
        auths: {
          'a.example': { auth },
          'b.example': { identitytoken: 'refresh-0025', registrytoken: 'bearer-0026' },
        },
      });
      await store().get('a.example');
      const text = redactText(`secret-0024 ${auth} refresh-0025 bearer-0026`);
      expect(text).to.equal('*** *** *** ***');
    });
  });

  describe('config file location', () => {
    it('finds $DOCKER_CONFIG/config.json', async () => {
      await writeConfig({ auths: { 'reg.example': { username: 'u', password: 'secret-0030' } } });
      expect((await store().get('reg.example'))?.username).to.equal('u');
    });

    it('falls back to ~/.docker/config.json', async () => {
      const home = join(dir, 'home');
      await mkdir(join(home, '.docker'), { recursive: true });
      await writeFile(
        join(home, '.docker', 'config.json'),
        JSON.stringify({
          auths: { 'reg.example': { username: 'homeuser', password: 'secret-0031' } },
        }),
      );
      const s = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: undefined } });
      expect((await s.get('reg.example'))?.username).to.equal('homeuser');
    });

    it('reads an explicit path', async () => {
      const path = join(dir, 'elsewhere.json');
      await writeFile(
        path,
        JSON.stringify({ auths: { 'reg.example': { username: 'x', password: 'secret-0032' } } }),
      );
      expect((await dockerConfigCredentials({ path, env }).get('reg.example'))?.username).to.equal(
        'x',
      );
    });

    it('treats a missing default file as no credentials', async () => {
      expect(await store().get('reg.example')).to.equal(undefined);
      const noHome = dockerConfigCredentials({ env: { HOME: join(dir, 'nowhere') } });
      expect(await noHome.get('reg.example')).to.equal(undefined);
    });

    it('treats an empty file as no credentials', async () => {
      await writeConfig('  \n');
      expect(await store().get('reg.example')).to.equal(undefined);
    });

    it('fails with E_CONFIG_INVALID on a missing explicit file', async () => {
      const path = join(dir, 'missing.json');
      const err = await rejection(dockerConfigCredentials({ path, env }).get('reg.example'));
      expect(err.code).to.equal('E_CONFIG_INVALID');
      expect(err.message).to.include(path);
      expect(err.hint).to.be.a('string');
    });

    it('fails with E_CONFIG_INVALID on a directory', async () => {
      const err = await rejection(
        dockerConfigCredentials({ path: configDir, env }).get('r.example'),
      );
      expect(err.code).to.equal('E_CONFIG_INVALID');
      expect(err.message).to.include(configDir);
    });
  });

  describe('malformed config files', () => {
    const cases: [string, string, string][] = [
      [
        'broken JSON',
        '{"auths": {"reg.example": {"password": "badsecret-0040" x}}}',
        'badsecret-0040',
      ],
      [
        'JSON with a bare secret',
        '{"auths": {"reg.example": {"password": badsecret-0041}}}',
        'badsecret-0041',
      ],
      ['a non-object root', '["badsecret-0042"]', 'badsecret-0042'],
      ['auths not an object', '{"auths": "badsecret-0043"}', 'badsecret-0043'],
      ['an entry not an object', '{"auths": {"reg.example": "badsecret-0044"}}', 'badsecret-0044'],
      [
        'a non-string password',
        '{"auths": {"reg.example": {"password": ["badsecret-0045"]}}}',
        'badsecret-0045',
      ],
      [
        'auth that is not base64',
        `{"auths": {"reg.example": {"auth": "badsecret-0046!"}}}`,
        'badsecret-0046',
      ],
      [
        'auth without a colon',
        `{"auths": {"reg.example": {"auth": "${b64('badsecret-0047')}"}}}`,
        'badsecret-0047',
      ],
      [
        'auth with an empty username',
        `{"auths": {"reg.example": {"auth": "${b64(':badsecret-0048')}"}}}`,
        'badsecret-0048',
      ],
      ['a non-string credsStore', '{"credsStore": 1}', 'nothing-secret'],
      ['credHelpers not an object', '{"credHelpers": ["x"]}', 'nothing-secret'],
      [
        'a helper name with a path',
        '{"credHelpers": {"reg.example": "../../bin/sh"}}',
        'nothing-secret',
      ],
    ];
    for (const [name, text, secret] of cases) {
      it(`rejects ${name} with E_CONFIG_INVALID naming the file`, async () => {
        const path = await writeConfig(text);
        const err = await rejection(store().get('reg.example'));
        expect(err.code).to.equal('E_CONFIG_INVALID');
        expect(err.message).to.include(path);
        expect(err.message).to.not.include(secret);
        expect(String(err.cause)).to.not.include(secret);
        expect(err.hint).to.be.a('string');
      });
    }
  });

  describe('credential helpers', () => {
    it('asks credsStore with the registry on stdin', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      expect(await store().get('helper.example:5000')).to.deep.equal({
        username: 'helperuser',
        password: 'helper-secret-0001',
      });
      expect(await helperCalls()).to.deep.equal(['helper.example:5000']);
      expect(redactText('helper-secret-0001')).to.equal('***');
    });

    it("sends Docker Hub's legacy key and maps <token> to an identity token", async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      expect(await store().get('docker.io')).to.deep.equal({ identityToken: 'hub-identity-0002' });
      expect(await helperCalls()).to.deep.equal(['https://index.docker.io/v1/']);
    });

    it('lets credHelpers beat credsStore, and ignores auths for helper registries', async () => {
      await writeConfig({
        credsStore: 'bmpackstore',
        credHelpers: { 'helper.example:5000': 'bmpacktest' },
        auths: {
          'helper.example:5000': { auth: b64('fileuser:file-0050') },
          'other.example': { auth: b64('fileuser:file-0051') },
        },
      });
      const s = store();
      expect((await s.get('helper.example:5000'))?.username).to.equal('helperuser');
      expect((await s.get('other.example'))?.username).to.equal('storeuser');
      expect(await helperCalls()).to.deep.equal(['helper.example:5000', 'store:other.example']);
    });

    it('uses auths when a credHelpers entry is empty', async () => {
      await writeConfig({
        credsStore: 'bmpackstore',
        credHelpers: { 'reg.example': '' },
        auths: { 'reg.example': { auth: b64('fileuser:file-0052') } },
      });
      expect((await store().get('reg.example'))?.username).to.equal('fileuser');
      expect(await helperCalls()).to.deep.equal([]);
    });

    it('runs a helper once per registry', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      const s = store();
      await Promise.all([s.get('helper.example:5000'), s.get('helper.example:5000')]);
      await s.get('helper.example:5000');
      expect(await helperCalls()).to.have.length(1);
    });

    it('treats "credentials not found" as anonymous', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      expect(await store().get('missing.example')).to.equal(undefined);
    });

    it('reports a failing helper with its own message', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      const err = await rejection(store().get('broken.example'));
      expect(err.code).to.equal('E_CREDENTIAL_HELPER');
      expect(err.message).to.include('docker-credential-bmpacktest');
      expect(err.message).to.include('keychain is locked');
      expect(err.message).to.include('broken.example');
      expect(err.hint).to.include(join(configDir, 'config.json'));
    });

    const leaks: [string, string][] = [
      ['leaky.example', 'leaked-secret-0003'],
      ['garbage.example', 'garbage-secret-0004'],
      ['shape.example', '42'],
    ];
    for (const [registry, secret] of leaks) {
      it(`never puts helper output in the error (${registry})`, async () => {
        await writeConfig({ credsStore: 'bmpacktest' });
        const err = await rejection(store().get(registry));
        expect(err.code).to.equal('E_CREDENTIAL_HELPER');
        expect(err.message).to.include('docker-credential-bmpacktest');
        expect(err.message).to.not.include(secret);
        expect(String(err.cause)).to.not.include(secret);
      });
    }

    it('reports a missing helper program with a hint', async () => {
      await writeConfig({ credsStore: 'bmpacknosuchhelper' });
      const err = await rejection(store().get('reg.example'));
      expect(err.code).to.equal('E_CREDENTIAL_HELPER');
      expect(err.message).to.include('docker-credential-bmpacknosuchhelper');
      expect(err.hint).to.include('Install docker-credential-bmpacknosuchhelper');
    });

    it('gives up on a helper that hangs', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      const s = dockerConfigCredentials({ env, helperTimeoutMs: 200 });
      const err = await rejection(s.get('slow.example'));
      expect(err.code).to.equal('E_CREDENTIAL_HELPER');
      expect(err.message).to.include('did not answer');
    });

    it('asks again after a failure', async () => {
      await writeConfig({ credsStore: 'bmpacktest' });
      const s = store();
      await rejection(s.get('broken.example'));
      await rejection(s.get('broken.example'));
      expect(await helperCalls()).to.have.length(2);
    });
  });

  describe('staticCredentials and chainCredentials', () => {
    it('looks up static entries like config keys', async () => {
      const s = staticCredentials({
        'reg:5000': { username: 'a', password: 'static-0060' },
        'https://url.example/v1/': { registryToken: 'static-0061' },
        'docker.io': { identityToken: 'static-0062' },
        'empty.example': {},
      });
      expect(await s.get('reg:5000')).to.deep.equal({ username: 'a', password: 'static-0060' });
      expect(await s.get('url.example')).to.deep.equal({ registryToken: 'static-0061' });
      expect(await s.get('index.docker.io')).to.deep.equal({ identityToken: 'static-0062' });
      expect(await s.get('empty.example')).to.equal(undefined);
      expect(await s.get('nope.example')).to.equal(undefined);
      expect(redactText('static-0060 static-0061 static-0062')).to.equal('*** *** ***');
    });

    it('takes the first store that has credentials', async () => {
      const chain = chainCredentials(
        staticCredentials({ 'a.example': { username: 'first', password: 'chain-0070' } }),
        staticCredentials({
          'a.example': { username: 'second', password: 'chain-0071' },
          'b.example': { username: 'second', password: 'chain-0072' },
        }),
      );
      expect((await chain.get('a.example'))?.username).to.equal('first');
      expect((await chain.get('b.example'))?.username).to.equal('second');
      expect(await chain.get('c.example')).to.equal(undefined);
      expect(await chainCredentials().get('a.example')).to.equal(undefined);
    });

    it('stops at a store that fails', async () => {
      await writeConfig('{');
      const chain = chainCredentials(
        staticCredentials({}),
        store(),
        staticCredentials({ 'a.example': { username: 'late', password: 'chain-0073' } }),
      );
      const err = await rejection(chain.get('a.example'));
      expect(err.code).to.equal('E_CONFIG_INVALID');
    });
  });
});
