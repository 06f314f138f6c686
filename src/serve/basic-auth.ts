/**
 * HTTP basic authentication for `bmpack serve` from an htpasswd file, as
 * distribution's htpasswd auth does: bcrypt entries only (`htpasswd -B`,
 * `$2y$`/`$2a$`/`$2b$`), a 401 with `WWW-Authenticate: Basic realm=…` on
 * every route without valid credentials. A bcrypt check costs tens of
 * milliseconds, and clients send the header with every request, so a
 * verified header is remembered (by its SHA-256, never in clear) for a few
 * minutes; a changed password needs a restart to take effect sooner.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { BmpackError } from '../errors.js';
import { ioError } from '../fs/atomic-file.js';

export interface BasicAuth {
  /** The user a request's Authorization header proves, or undefined. */
  check(header: string | undefined): Promise<string | undefined>;
}

const remembered = 5 * 60_000;

export async function loadHtpasswd(file: string): Promise<BasicAuth> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw ioError(err, file, 'read');
  });
  const users = parseHtpasswd(text, file);
  // Unknown users are checked against a hash too, so that timing tells nothing.
  const dummyHash = await bcrypt.hash(randomBytes(16).toString('hex'), 10);
  const verified = new Map<string, { user: string; until: number }>();
  return {
    async check(header) {
      const credentials = parseBasic(header);
      if (credentials === undefined) return undefined;
      const key = createHash('sha256')
        .update(header ?? '')
        .digest('hex');
      const known = verified.get(key);
      if (known !== undefined && known.until > Date.now()) return known.user;
      const hash = users.get(credentials.user);
      const ok = await bcrypt.compare(credentials.password, hash ?? dummyHash);
      if (!ok || hash === undefined) return undefined;
      verified.set(key, { user: credentials.user, until: Date.now() + remembered });
      return credentials.user;
    },
  };
}

/** `user:hash` lines; `#` comments and blank lines skipped; only bcrypt hashes. */
export function parseHtpasswd(text: string, file: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const hash = line.slice(colon + 1).trim();
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
      throw new BmpackError(
        'E_CONFIG_INVALID',
        `${file}:${i + 1} is not a bcrypt htpasswd entry (user:$2y$…)`,
        {
          hint: 'Write entries with `htpasswd -B` (bcrypt), as docker-registry requires; MD5, SHA1 and crypt entries are refused.',
          details: { file, line: String(i + 1) },
        },
      );
    }
    users.set(line.slice(0, colon), hash);
  });
  return users;
}

/** RFC 7617: `Basic base64(user:password)`. */
function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (m?.[1] === undefined) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
