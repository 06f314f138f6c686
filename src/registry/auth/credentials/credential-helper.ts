/**
 * Running a docker credential helper (docker-credential-helpers protocol;
 * protocols.md §2.6): `docker-credential-<suffix> get`, the server URL on
 * stdin, `{"ServerURL","Username","Secret"}` on stdout. A helper reports
 * "no credentials" by exiting non-zero with `credentials not found in native
 * keychain`; docker treats that as anonymous access, and so do we.
 */
import { BmpackError } from '../../../errors.js';
import { redactText, registerSecret } from '../../../redact.js';
import { makeCredential } from './credential.js';
import type { Credential } from './credential.js';
import { isJsonObject, stringField } from './json-field.js';

/** native_store.go `tokenUsername`: the Secret is then an identity token. */
const tokenUsername = '<token>';

/** Helpers answer in milliseconds; one waiting on a locked keychain should not hang us forever. */
export const defaultHelperTimeoutMs = 60_000;

/** Enough for any real answer; more is a misbehaving helper. */
const maxOutputBytes = 1024 * 1024;

export interface HelperRequest {
  /** Suffix from `credsStore`/`credHelpers`. */
  readonly helper: string;
  /** What the helper gets on stdin: `https://index.docker.io/v1/` or `host[:port]`. */
  readonly serverUrl: string;
  /** Registry name, for messages. */
  readonly registry: string;
  /** Config file that chose the helper, for hints. */
  readonly configPath: string;
  /** Environment of the helper; its PATH is used to find the program. */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

interface HelperResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function helperError(
  req: HelperRequest,
  problem: string,
  cause: unknown,
  hint?: string,
): BmpackError {
  const program = `docker-credential-${req.helper}`;
  return new BmpackError(
    'E_CREDENTIAL_HELPER',
    redactText(`credential helper ${program} ${problem} (registry ${req.registry})`),
    {
      hint:
        hint ??
        `Check that ${program} works (for example, log in again with \`docker login ${req.registry}\`), or remove "credsStore"/"credHelpers" for this registry from ${req.configPath}.`,
      cause,
      details: { helper: program, registry: req.registry },
    },
  );
}

/** Run the helper and collect its output; rejects only when it cannot be started or must be stopped. */
function execute(req: HelperRequest): Promise<HelperResult> {
  const program = `docker-credential-${req.helper}`;
  return new Promise((resolve, reject) => {
    // node:child_process is loaded when first needed, not at every start (~2 ms).
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(program, ['get'], { env: req.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    // Settle at once rather than on 'close': a grandchild of the helper may
    // hold its pipes open long after the helper itself is gone.
    const stop = (problem: BmpackError): void => {
      settle(() => {
        child.kill('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        reject(problem);
      });
    };
    const timer = setTimeout(() => {
      const seconds = Math.round(req.timeoutMs / 1000);
      stop(helperError(req, `did not answer within ${seconds}s`, new Error('timeout')));
    }, req.timeoutMs);
    const collect =
      (into: Buffer[]) =>
      (chunk: Buffer): void => {
        size += chunk.length;
        if (size > maxOutputBytes) {
          stop(helperError(req, 'wrote too much output', new Error('output limit')));
        } else into.push(chunk);
      };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    // A helper may exit without reading stdin; its exit status tells us what happened.
    child.stdin.on('error', () => undefined);
    child.on('error', (cause: NodeJS.ErrnoException) => {
      const missing = cause.code === 'ENOENT';
      const problem = missing
        ? 'was not found on PATH'
        : `could not be started (${cause.code ?? cause.message})`;
      const hint = missing
        ? `Install ${program} on this machine, or remove "credsStore"/"credHelpers" from ${req.configPath} to use its "auths" entries instead.`
        : undefined;
      settle(() => {
        reject(helperError(req, problem, cause, hint));
      });
    });
    child.on('close', (exitCode, signal) => {
      settle(() => {
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });
    child.stdin.end(req.serverUrl);
  });
}

/**
 * One line of the helper's own diagnostics, for the error message. Helpers
 * built on docker-credential-helpers print errors to stdout; output that looks
 * like JSON may hold a secret and is never shown.
 */
function diagnostic(result: HelperResult): string {
  for (const text of [result.stdout, result.stderr]) {
    const line = text.trim().split('\n')[0]?.trim() ?? '';
    if (line === '' || line.startsWith('{')) continue;
    return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
  }
  return '';
}

function parseAnswer(req: HelperRequest, stdout: string): Credential | undefined {
  let body: unknown;
  try {
    body = JSON.parse(stdout);
  } catch {
    // The parser's message quotes the output, which may hold the secret.
    throw helperError(
      req,
      'answered with output that is not JSON',
      new SyntaxError('invalid JSON'),
    );
  }
  const username = isJsonObject(body) ? stringField(body, 'Username') : false;
  const secret = isJsonObject(body) ? stringField(body, 'Secret') : false;
  if (secret !== false) registerSecret(secret);
  if (username === false || secret === false) {
    throw helperError(
      req,
      'answered without string "Username" and "Secret" fields',
      new TypeError('unexpected helper answer shape'),
    );
  }
  if (username === tokenUsername) return makeCredential({ identityToken: secret });
  return makeCredential({ username, password: secret });
}

/**
 * Ask a credential helper for the credentials of one server.
 * @returns undefined when the helper has none ("credentials not found").
 * @throws BmpackError E_CREDENTIAL_HELPER when the helper is missing, fails,
 *   times out or answers nonsense; the message names the helper, never a secret.
 */
export async function runCredentialHelper(req: HelperRequest): Promise<Credential | undefined> {
  const result = await execute(req);
  if (result.exitCode === 0) return parseAnswer(req, result.stdout);
  // credentials.IsErrCredentialsNotFoundMessage, loosened to a substring so
  // that helpers which add context to the message still mean "anonymous".
  if (/credentials not found/i.test(`${result.stdout}\n${result.stderr}`)) return undefined;
  const status =
    result.exitCode === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.exitCode}`;
  throw helperError(req, `failed: it ${status}${diagnostic(result)}`, new Error(status));
}
