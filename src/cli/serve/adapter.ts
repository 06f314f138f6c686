/** `bmpack serve` behind its command: serve until SIGINT or SIGTERM, then stop gracefully. */
import { serveBundles, type AccessLine, type RunningServe } from '../../serve/index.js';

export interface ServeFlags {
  readonly source?: readonly string[] | undefined;
  readonly root?: string | undefined;
  readonly listen: string;
  readonly namespace?: string | undefined;
  readonly 'tls-cert'?: string | undefined;
  readonly 'tls-key'?: string | undefined;
  readonly htpasswd?: string | undefined;
}

export async function runServe(
  flags: ServeFlags,
  say: (line: string) => void,
  access: (line: AccessLine) => void,
): Promise<{ address: string; repositories: number }> {
  const served: RunningServe = await serveBundles({
    sources: flags.source ?? [],
    ...(flags.root !== undefined ? { root: flags.root } : {}),
    listen: flags.listen,
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(flags['tls-cert'] !== undefined && flags['tls-key'] !== undefined
      ? { tls: { certFile: flags['tls-cert'], keyFile: flags['tls-key'] } }
      : {}),
    ...(flags.htpasswd !== undefined ? { htpasswd: flags.htpasswd } : {}),
    onRequest: access,
    onEvent: (e) => {
      if (e.type === 'warning') say(`warning: ${e.message}`);
    },
  });
  say(
    `serving ${served.repositories} repositories of ${flags.root ?? (flags.source ?? []).join(', ')} on ${served.scheme}://${served.address}${flags.namespace !== undefined ? `/v2/${flags.namespace}` : ''} (${flags.root !== undefined ? 'accepts pushes' : 'read only'}${flags.htpasswd !== undefined ? ', basic auth' : ''}; Ctrl-C stops)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await served.close();
  return { address: served.address, repositories: served.repositories };
}

/** An access line: `METHOD PATH STATUS BYTES MSms`, or one JSON object (`--json`). */
export function renderAccessLine(l: AccessLine, json: boolean): string {
  return json
    ? JSON.stringify({ type: 'access', ...l })
    : `${l.method} ${l.path} ${l.status} ${l.bytes} ${l.ms}ms`;
}
