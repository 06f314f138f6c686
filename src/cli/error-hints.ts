/**
 * The library's hints name no flag: it says what to do ("pass the
 * registry's CA certificate") and tags the situation with a machine
 * `reason`. Here the CLI turns a reason into the hint with the flags of the
 * command that is running — `bundle create` reaches registries through the
 * same client as `push images`, but takes none of its TLS or login flags.
 * A command without the flags a hint needs keeps the library's words.
 */
import { BmpackError, type ErrorReason } from '../errors.js';
import { say, type FlagHint } from './flag-hint.js';
import { mirrorHints } from './mirror-hints.js';

const rateLimited: readonly FlagHint[] = [
  {
    needs: ['concurrency'],
    hint: say(
      'The registry limits requests. Wait and re-run, lower --concurrency, or log in to get a higher limit.',
    ),
  },
];

/** Every reason is listed, so that a new one is a decision here rather than a silent fallback. */
const hints: Readonly<Record<ErrorReason, readonly FlagHint[]>> = {
  'tls-untrusted': [
    {
      needs: ['cacert', 'plain-http', 'insecure-skip-tls-verify', 'insecure-registry'],
      hint: say(
        'If the registry uses a private CA, pass its certificate with --cacert HOST=PATH (or --cacert PATH for every registry). If it serves plain HTTP, use --plain-http HOST. --insecure-registry HOST skips verification for that registry, or talks plain HTTP to it (not recommended).',
      ),
    },
    {
      needs: ['cacert', 'plain-http', 'insecure-skip-tls-verify'],
      hint: say(
        'If the registry uses a private CA, pass its certificate with --cacert PATH (every registry) or --cacert HOST=PATH. If it serves plain HTTP, use --plain-http HOST. --insecure-skip-tls-verify HOST turns verification off for it (not recommended).',
      ),
    },
    {
      needs: ['cacert', 'insecure-registry'],
      hint: say(
        'If the registry uses a private CA, pass its certificate with --cacert PATH (every registry) or --cacert HOST=PATH. --insecure-registry HOST skips verification for that registry, or talks plain HTTP to it (not recommended).',
      ),
    },
    {
      needs: ['insecure-registry'],
      hint: say(
        'If the registry uses a private CA, run bmpack with NODE_EXTRA_CA_CERTS=PATH (its PEM certificate). --insecure-registry HOST skips verification for that registry, or talks plain HTTP to it (not recommended).',
      ),
    },
  ],
  'ca-file-unreadable': [{ needs: ['cacert'], hint: say('Check the path given to --cacert.') }],
  'rate-limited': rateLimited,
  'retry-after-too-long': [
    { needs: ['concurrency'], hint: say('Re-run after that time, or lower --concurrency.') },
  ],
  'credentials-rejected': [
    {
      needs: ['username', 'password-stdin', 'authfile', 'docker-config'],
      hint: (e) =>
        `Log in to ${registryOf(e)} (--username with --password-stdin, or skopeo login / docker login, or --authfile / --docker-config), and check the user and password.`,
    },
    {
      needs: ['docker-config'],
      hint: say(
        'Log in with `docker login HOST` (or a credential helper), or pass --docker-config PATH with an entry for the registry, and check the user and password.',
      ),
    },
  ],
  'delta-base-not-bmpack': [
    {
      needs: ['since'],
      hint: say(
        'A delta records the name and version of its base from the base’s bmpack.json: give --since the bmpack bundle of the previous release.',
      ),
    },
  ],
  'merge-tag-conflict': [
    {
      needs: ['prefer'],
      hint: say(
        'Decide which wins: --prefer last takes the later bundle (the newer release); or merge without the bundle that lists the other digest.',
      ),
    },
  ],
  'merge-blob-missing': [],
  'delta-base-is-output': [
    {
      needs: ['output'],
      hint: say('Write the delta under another name (--output), next to the previous bundle.'),
    },
  ],
  'platform-unresolvable': [
    {
      needs: ['platform'],
      hint: say(
        'The registry serves an unusual index: bundle all its platforms (no --platform), or check the image.',
      ),
    },
  ],
  // The library's hint (HOST[:PORT][/NAMESPACE]) already fits every command.
  'private-registry-invalid': [],
  'target-paths-collide': [
    {
      needs: ['private-registry'],
      hint: say(
        'A mirror keeps paths but not registry hosts. Push them to different namespaces (run push twice with different --private-registry namespaces), or drop one of them from the bundle.',
      ),
    },
  ],
  'folded-paths-collide': [
    {
      needs: ['max-nested-paths', 'rewrite'],
      hint: say(
        'Raise --max-nested-paths if the registry allows it, or add --rewrite FROM=TO for one of the two prefixes so that they stay apart.',
      ),
    },
  ],
  'path-rule-invalid': [
    {
      needs: ['rewrite'],
      hint: say(
        'Write --rewrite FROM=TO: a source prefix (quay.io/jetstack, or a path such as library) and the target path that replaces it (TO may be empty); one rule per prefix.',
      ),
    },
  ],
  'path-depth-below-namespace': [
    {
      needs: ['max-nested-paths', 'private-registry'],
      hint: say(
        'Give --max-nested-paths at least one more than the depth of the --private-registry namespace, or use a shorter namespace.',
      ),
    },
  ],
  'repository-too-deep': [
    {
      needs: ['max-nested-paths', 'rewrite'],
      hint: (e) => {
        const ok = e.details.deepestAccepted;
        const depth = typeof ok === 'number' && ok > 0 ? String(ok) : 'N';
        return `Re-run with --max-nested-paths ${depth} to fold deeper names (shown by --dry-run), or map them with --rewrite FROM=TO.`;
      },
    },
  ],
  'repository-name-refused': [
    {
      needs: ['private-registry'],
      hint: say(
        'Check that the --private-registry namespace exists at the registry and that the user may push to it.',
      ),
    },
  ],
  'image-list-unreadable': [
    {
      needs: ['manifest'],
      hint: say(
        'Check the path given to --manifest; relative paths start from the current directory.',
      ),
    },
  ],
  'image-list-is-directory': [
    {
      needs: ['manifest'],
      hint: say('Give --manifest a file, not a directory; repeat --manifest for several files.'),
    },
  ],
  'split-size-invalid': [
    {
      needs: ['size'],
      hint: say(
        'Give --size at least 1MiB; for FAT32 media, --size 4000M keeps every part under 4 GiB.',
      ),
    },
    {
      needs: ['split-size'],
      hint: say(
        'Give --split-size at least 1MiB; for FAT32 media, 4000M keeps every part under 4 GiB.',
      ),
    },
  ],
  'image-list-stdin-twice': [
    {
      needs: ['manifest'],
      hint: say('Give --manifest - once; name the other lists by their files.'),
    },
  ],
  'image-list-missing': [
    { needs: ['manifest'], hint: say('Name at least one image list with --manifest FILE.') },
  ],
  'worker-crashed': [
    {
      needs: ['workers', 'debug'],
      hint: say(
        'This is a bug in bmpack: re-run with --workers 1, and report the output with --debug.',
      ),
    },
  ],
  // The library's words fit every command: they name only NO_PROXY and the
  // proxy URL's variables, no flag.
  'proxy-refused': [],
  'proxy-auth-required': [],
  ...mirrorHints,
};

/** The hint for `e` in the words of a command whose flags are `flags`. */
export function cliHint(e: BmpackError, flags: ReadonlySet<string>): string | undefined {
  if (e.reason === undefined) return e.hint;
  const fit = hints[e.reason].find((h) => h.needs.every((f) => flags.has(f)));
  return fit === undefined ? e.hint : fit.hint(e);
}

/** The registry an error is about: its own detail, or that of an error it wraps. */
function registryOf(e: BmpackError): string {
  for (let at: unknown = e; at instanceof Error; at = at.cause) {
    const registry = at instanceof BmpackError ? at.details.registry : undefined;
    if (typeof registry === 'string') return registry;
  }
  return 'the registry';
}
