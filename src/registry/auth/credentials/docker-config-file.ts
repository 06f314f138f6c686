/**
 * Reading `config.json` as docker/cli's configfile package does
 * (protocols.md §2.6): `auths`, `credsStore` and `credHelpers`; everything
 * else in the file is ignored. The outside JSON is checked field by field,
 * and no message ever quotes a value from the file, since values are secrets.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BmpackError } from '../../../errors.js';
import { registerSecret } from '../../../redact.js';
import { makeCredential } from './credential.js';
import type { Credential } from './credential.js';
import { decodeAuthField } from './docker-auth-field.js';
import { isJsonObject, jsonField, stringField } from './json-field.js';

/** The parts of a docker config file that matter for credentials, in file order. */
export interface DockerConfig {
  readonly path: string;
  /** `auths` entries; undefined for entries without credentials (e.g. `{}` next to a credsStore). */
  readonly auths: readonly (readonly [string, Credential | undefined])[];
  /** Default helper suffix (`docker-credential-<credsStore>`). */
  readonly credsStore: string | undefined;
  /** Per-registry helper suffixes; an empty suffix means "use the file", as in docker/cli. */
  readonly credHelpers: readonly (readonly [string, string])[];
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (docker/cli config.Dir). */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG;
  if (dir !== undefined && dir !== '') return join(dir, 'config.json');
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  return join(home, '.docker', 'config.json');
}

function configError(path: string, problem: string, cause: unknown, hint?: string): BmpackError {
  return new BmpackError('E_CONFIG_INVALID', `docker config file ${path} ${problem}`, {
    hint:
      hint ??
      `Fix ${path} (it is JSON as written by \`docker login\`), or log in again to rewrite it.`,
    cause,
    details: { path },
  });
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err && typeof err.code === 'string';
}

/** A JSON.parse failure without the source snippet V8 puts in its message. */
function safeSyntaxError(err: unknown): SyntaxError {
  const position = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
  return new SyntaxError(`invalid JSON${position === undefined ? '' : ` at position ${position}`}`);
}

function parseAuthEntry(path: string, key: string, entry: unknown): Credential | undefined {
  const where = `auths[${JSON.stringify(key)}]`;
  if (entry === null) return undefined;
  if (!isJsonObject(entry)) {
    throw configError(path, `has ${where} that is not an object`, new TypeError(where));
  }
  const fields = {
    auth: stringField(entry, 'auth'),
    username: stringField(entry, 'username'),
    password: stringField(entry, 'password'),
    identityToken: stringField(entry, 'identitytoken'),
    registryToken: stringField(entry, 'registrytoken'),
  };
  for (const value of Object.values(fields)) if (value !== false) registerSecret(value);
  for (const [name, value] of Object.entries(fields)) {
    if (value === false) {
      const field = `${where}.${name.toLowerCase()}`;
      throw configError(path, `has ${field} that is not a string`, new TypeError(field));
    }
  }
  const { auth, username, password, identityToken, registryToken } = fields;
  let login = { username: username || undefined, password: password || undefined };
  // A non-empty `auth` replaces username and password (configfile LoadFromReader).
  if (auth) {
    const decoded = decodeAuthField(auth);
    if ('problem' in decoded) {
      throw configError(
        path,
        `has ${where}.auth that ${decoded.problem}`,
        new Error(decoded.problem),
      );
    }
    login = decoded;
  }
  return makeCredential({
    ...login,
    identityToken: identityToken || undefined,
    registryToken: registryToken || undefined,
  });
}

function parseHelperName(path: string, field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw configError(path, `has ${field} that is not a string`, new TypeError(field));
  }
  // The suffix becomes part of a program name; it must not be a path.
  if (/[/\\]/.test(value)) {
    throw configError(path, `has ${field} that contains a path separator`, new Error(field));
  }
  return value;
}

function parseHelpers(path: string, value: unknown): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!isJsonObject(value)) {
    throw configError(
      path,
      'has "credHelpers" that is not an object',
      new TypeError('credHelpers'),
    );
  }
  return Object.entries(value).map(([key, helper]) => [
    key,
    parseHelperName(path, `credHelpers[${JSON.stringify(key)}]`, helper),
  ]);
}

/**
 * Parse the text of a docker config file.
 * @throws BmpackError E_CONFIG_INVALID naming `path` and the bad field.
 */
export function parseDockerConfig(text: string, path: string): DockerConfig {
  // docker/cli accepts an empty file (io.EOF) as an empty config.
  if (text.trim() === '') return { path, auths: [], credsStore: undefined, credHelpers: [] };
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    const cause = safeSyntaxError(err);
    throw configError(path, `is not valid JSON (${cause.message})`, cause);
  }
  if (!isJsonObject(root)) {
    throw configError(path, 'is not a JSON object', new TypeError('root'));
  }
  const auths = jsonField(root, 'auths');
  if (auths !== undefined && auths !== null && !isJsonObject(auths)) {
    throw configError(path, 'has "auths" that is not an object', new TypeError('auths'));
  }
  const store = jsonField(root, 'credsStore');
  return {
    path,
    auths: Object.entries(isJsonObject(auths) ? auths : {}).map(([key, entry]) => [
      key,
      parseAuthEntry(path, key, entry),
    ]),
    credsStore:
      store === undefined || store === null
        ? undefined
        : parseHelperName(path, 'credsStore', store),
    credHelpers: parseHelpers(path, jsonField(root, 'credHelpers')),
  };
}

/**
 * Read and parse a docker config file. A missing file means "no
 * credentials" unless the user named it (`required`).
 * @throws BmpackError E_CONFIG_INVALID naming the path.
 */
export async function readDockerConfig(
  path: string,
  required: boolean,
): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = isErrnoException(err) ? err.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (!required) return undefined;
      throw configError(
        path,
        'does not exist',
        err,
        'Check the path, or leave it out to use $DOCKER_CONFIG/config.json or ~/.docker/config.json.',
      );
    }
    throw configError(path, `cannot be read (${code ?? 'unknown error'})`, err);
  }
  return parseDockerConfig(text, path);
}
