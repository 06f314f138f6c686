/**
 * Finding the external programs the rig drives (docker-registry, skopeo,
 * openssl, htpasswd). A missing tool must make tests FAIL, never skip: a
 * skipped integration suite looks green in CI while proving nothing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Absolute path of the executable `name` found on `PATH`.
 *
 * @param name - program name, e.g. `docker-registry`.
 * @param debianPackage - the Debian package that provides it, named in the error.
 * @throws Error `<name> not found on PATH: install the Debian package <pkg> (.ci/run does this)`.
 */
export function requireTool(name: string, debianPackage: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    // An empty or relative PATH entry would make the answer depend on the cwd.
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      // A directory is "executable" too; only a regular file is a program.
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  throw new Error(
    `${name} not found on PATH: install the Debian package ${debianPackage} (.ci/run does this)`,
  );
}
