/**
 * Content descriptors (image-spec descriptor.md) and a validator for ones
 * that come from outside: registries, bundles, manifests.
 */
import { BmpackError } from '../errors.js';

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
}

const digestPattern = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

/** True when `value` is a supported, well-formed digest string. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && digestPattern.test(value);
}

/**
 * An untrusted JSON value, as a message shows it: short, and safe however
 * deeply it nests (JSON.stringify overflows the stack on 10 000 nested arrays).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'undefined' ? 'nothing' : 'an object';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function toPlatform(value: unknown): Platform | undefined {
  if (!isRecord(value)) return undefined;
  const { architecture, os, variant } = value;
  if (typeof architecture !== 'string' || typeof os !== 'string') return undefined;
  const osVersion = value['os.version'];
  return {
    architecture,
    os,
    ...(typeof variant === 'string' ? { variant } : {}),
    ...(typeof osVersion === 'string' ? { 'os.version': osVersion } : {}),
  };
}

/**
 * Validate a descriptor from outside. `where` names the document for the
 * error message (for example "manifest gcr.io/x/y:1 layers[2]").
 */
export function parseDescriptor(value: unknown, where: string): Descriptor {
  const fail = (what: string): never => {
    throw new BmpackError('E_MANIFEST_INVALID', `${where}: ${what}`, {
      hint: 'The manifest does not follow the OCI image spec; it may be corrupt.',
    });
  };
  if (!isRecord(value)) return fail('descriptor is not an object');
  const { mediaType, digest, size, artifactType } = value;
  if (typeof mediaType !== 'string') return fail('descriptor has no mediaType');
  if (!isDigest(digest)) return fail(`descriptor has an invalid digest ${describeValue(digest)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return fail(`descriptor ${digest} has an invalid size`);
  }
  const annotations = stringRecord(value.annotations);
  const platform = toPlatform(value.platform);
  return {
    mediaType,
    digest,
    size,
    ...(annotations ? { annotations } : {}),
    ...(platform ? { platform } : {}),
    ...(typeof artifactType === 'string' ? { artifactType } : {}),
  };
}

export { isRecord };
