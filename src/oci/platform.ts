/**
 * Platforms (`linux/amd64`, `linux/arm/v7`): parse the specifiers users
 * write, normalise them and match them against the platforms an image index
 * declares, with containerd's rules (containerd/platforms: platforms.go,
 * database.go, compare.go) so that what we bundle is what containerd on the
 * node will select. Pure: no I/O.
 */
import { BmpackError } from '../errors.js';

/** A platform as bmpack passes it around: always normalised (see {@link normalizePlatform}). */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Anything with the OCI platform fields; image index descriptors carry more, which we ignore. */
export interface PlatformLike {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

const hint =
  'Write a platform as os/architecture[/variant], e.g. linux/amd64, linux/arm64 or linux/arm/v7.';

function invalid(input: string, problem: string): BmpackError {
  return new BmpackError(
    'E_PLATFORM_INVALID',
    `invalid platform ${JSON.stringify(input)}: ${problem}`,
    { hint, cause: new Error(problem), details: { platform: input } },
  );
}

// Go's syslist (what containerd's database.go is generated from). containerd
// accepts any os/arch pair with a slash; we refuse unknown names because a
// typo such as "linux/amd46" would otherwise match nothing and surface only
// later, as a missing platform in the middle of a bundle run.
const knownOS: ReadonlySet<string> = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
  'zos',
]);

const knownArch: ReadonlySet<string> = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'ppc64',
  'ppc64le',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);

/** containerd's `specifierRe`: what each component may contain. */
const componentRegexp = /^[A-Za-z0-9_.-]+$/;

/** containerd's normalizeOS, minus host inference for an empty OS. */
function normalizeOS(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's normalizeArch: aliases, and each architecture's canonical variant. */
function normalizeArch(architecture: string, variant: string): [string, string] {
  const arch = architecture.toLowerCase();
  const v = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64':
    case 'arm64':
      return ['arm64', v === '8' || v === 'v8' ? '' : v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') return ['arm', 'v7'];
      if (v === '5' || v === '6' || v === '8') return ['arm', `v${v}`];
      return ['arm', v];
    default:
      return [arch, v];
  }
}

function spec(os: string, architecture: string, variant: string): PlatformSpec {
  return variant === '' ? { os, architecture } : { os, architecture, variant };
}

/**
 * containerd's `platforms.Normalize`: lowercase, architecture aliases
 * (x86_64 and x86-64 → amd64, aarch64 → arm64, armhf → arm/v7,
 * armel → arm/v6, i386 → 386), `amd64/v1` and `arm64/v8` lose their
 * variant, and `arm` without one means `arm/v7`. Normalised platforms
 * compare equal exactly when containerd considers them the same.
 */
export function normalizePlatform(p: PlatformLike): PlatformSpec {
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  return spec(normalizeOS(p.os), architecture, variant);
}

/**
 * Parse `os/architecture[/variant]` and normalise it, so that
 * `linux/arm64/v8` and `linux/aarch64` both give `linux/arm64`.
 * Unlike containerd we take no single-component form (`linux`, `arm64`):
 * containerd fills the gap from the host, and the host that builds a bundle
 * is not the one that runs it.
 * @throws BmpackError E_PLATFORM_INVALID naming the input and what is wrong.
 */
export function parsePlatform(s: string): PlatformSpec {
  const parts = s.split('/');
  if (parts.length < 2) {
    throw invalid(s, 'expected os/architecture[/variant]; both the os and the architecture');
  }
  if (parts.length > 3) throw invalid(s, 'too many "/"-separated components (at most three)');
  for (const part of parts) {
    if (part === '') throw invalid(s, 'a component is empty');
    if (part.includes('(')) {
      throw invalid(s, 'OS versions and features ("os(version)") are not supported');
    }
    if (!componentRegexp.test(part)) {
      throw invalid(
        s,
        `component ${JSON.stringify(part)} may contain only letters, digits, "_", "." and "-"`,
      );
    }
  }
  const [os = '', architecture = '', variant = ''] = parts;
  const p = normalizePlatform({ os, architecture, variant });
  if (!knownOS.has(p.os)) throw invalid(s, `unknown operating system ${JSON.stringify(os)}`);
  if (!knownArch.has(p.architecture)) {
    throw invalid(s, `unknown architecture ${JSON.stringify(architecture)}`);
  }
  return p;
}

/** `os/architecture[/variant]`, the form {@link parsePlatform} reads. */
export function formatPlatform(p: PlatformLike): string {
  const variant = p.variant === undefined || p.variant === '' ? '' : `/${p.variant}`;
  return `${p.os}/${p.architecture}${variant}`;
}

function samePlatform(a: PlatformSpec, b: PlatformSpec): boolean {
  return a.os === b.os && a.architecture === b.architecture && a.variant === b.variant;
}

/**
 * True when `candidate` is the platform `wanted` names: both are normalised
 * and then os, architecture and variant must be equal (containerd's
 * `NewMatcher`, i.e. `OnlyStrict`). So `linux/arm64` matches an index entry
 * that says `arm64/v8`, and `linux/arm` matches `arm/v7`; but a wanted
 * platform without a variant does not match every variant: `linux/amd64`
 * does not match `amd64/v3`, which an older amd64 host cannot run. For
 * containerd's fallbacks to older compatible platforms (`Only`), see
 * {@link compatiblePlatforms} and {@link selectPlatform}.
 */
export function platformMatches(wanted: PlatformLike, candidate: PlatformLike): boolean {
  return samePlatform(normalizePlatform(wanted), normalizePlatform(candidate));
}

const variantNumber = (variant: string | undefined): number =>
  /^v\d+$/.test(variant ?? '') ? Number((variant ?? '').slice(1)) : Number.NaN;

/** containerd's platformVector for an already normalised platform. */
function platformVector(p: PlatformSpec): PlatformSpec[] {
  const vector = [p];
  const { os } = p;
  switch (p.architecture) {
    case 'amd64': {
      const level = variantNumber(p.variant);
      for (let v = level - 1; v >= 1; v--) vector.push(spec(os, 'amd64', `v${v}`));
      vector.push(spec(os, '386', ''));
      break;
    }
    case 'arm': {
      const version = variantNumber(p.variant);
      for (let v = version - 1; v >= 5; v--) vector.push(spec(os, 'arm', `v${v}`));
      break;
    }
    case 'arm64': {
      const variant = p.variant ?? 'v8';
      const match = /^v(\d+)(?:\.(\d+))?$/.exec(variant);
      if (match !== null && Number(match[1]) >= 8) {
        let major = Number(match[1]);
        let minor = match[2] === undefined ? 0 : Number(match[2]);
        const arm64 = (maj: number, min: number): PlatformSpec =>
          spec(os, 'arm64', min === 0 ? `v${maj}` : `v${maj}.${min}`);
        if (major === 9) {
          for (let m = minor - 1; m >= 0; m--) vector.push(arm64(9, m));
          // v9.0 diverged from v8.5: v9.x runs what v8.(x+5) runs.
          minor += 5;
          major = 8;
          vector.push(spec(os, 'arm64', `v8.${minor}`));
        }
        for (let m = minor - 1; m >= 0; m--) vector.push(arm64(major, m));
      }
      // 64-bit ARM hosts run 32-bit ARM images too.
      const armVariant = variant.startsWith('v8.') || variant.startsWith('v9.') ? 'v8' : variant;
      vector.push(...platformVector(spec(os, 'arm', armVariant)));
      break;
    }
  }
  return vector.map(normalizePlatform);
}

/**
 * The platforms a host of platform `wanted` can run, best first
 * (containerd's `platforms.Only`): `linux/amd64` → amd64, then 386;
 * `linux/arm/v7` → arm/v7, v6, v5; `linux/arm64` → arm64, then arm/v8…v5.
 */
export function compatiblePlatforms(wanted: PlatformLike): PlatformSpec[] {
  const out: PlatformSpec[] = [];
  for (const p of platformVector(normalizePlatform(wanted))) {
    if (!out.some((q) => samePlatform(p, q))) out.push(p);
  }
  return out;
}

/**
 * The candidate containerd would pull for a host of platform `wanted`: an
 * exact match if there is one, else the best compatible fallback
 * ({@link compatiblePlatforms} order), else undefined. Among equally good
 * candidates the first wins, as in an image index.
 */
export function selectPlatform<T extends PlatformLike>(
  wanted: PlatformLike,
  candidates: readonly T[],
): T | undefined {
  for (const p of compatiblePlatforms(wanted)) {
    const found = candidates.find((c) => samePlatform(p, normalizePlatform(c)));
    if (found !== undefined) return found;
  }
  return undefined;
}
