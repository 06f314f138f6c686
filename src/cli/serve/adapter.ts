/** `bmpack serve` behind its command: serve until SIGINT or SIGTERM, then stop gracefully. */
import { serveBundles, type AccessLine, type RunningServe } from '../../serve/index.js';

export interface ServeFlags {
  readonly source: readonly string[];
  readonly listen: string;
  readonly namespace?: string | undefined;
}

export async function runServe(
  flags: ServeFlags,
  say: (line: string) => void,
  access: (line: AccessLine) => void,
): Promise<{ address: string; repositories: number }> {
  const served: RunningServe = await serveBundles({
    sources: flags.source,
    listen: flags.listen,
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    onRequest: access,
    onEvent: (e) => {
      if (e.type === 'warning') say(`warning: ${e.message}`);
    },
  });
  say(
    `serving ${served.repositories} repositories of ${flags.source.join(', ')} on http://${served.address}${flags.namespace !== undefined ? `/v2/${flags.namespace}` : ''} (read only; Ctrl-C stops)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await served.close();
  return { address: served.address, repositories: served.repositories };
}
