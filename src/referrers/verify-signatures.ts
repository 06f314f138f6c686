/**
 * `bundle verify --key`: the cosign signatures a bundle carries, checked
 * with the given public keys and no network. For each image (not itself a
 * referrer), its `sha256-<hex>.sig` manifest is read from the bundle, each
 * simple-signing layer's payload is checked against its digest, its claim
 * (`docker-manifest-digest`) against the image's digest, and its signature
 * against every key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import { sha256Digest } from '../content/digest.js';
import { BmpackError } from '../errors.js';
import { ioError } from '../fs/atomic-file.js';
import { fallbackRepository, listedReference } from '../reference/index.js';
import { parseReferrerTag, referrerTags } from './referrer-tags.js';
import {
  readPayload,
  signatureAnnotation,
  signatureValid,
  simpleSigningMediaType,
} from './simple-signing.js';

export interface SignatureCheck {
  readonly image: string;
  readonly digest: string;
  readonly status: 'signed' | 'unsigned' | 'invalid';
  /** The key file that verified it. */
  readonly key?: string;
  /** The docker-reference the payload names. */
  readonly reference?: string;
  /** Why it is not signed by a given key. */
  readonly problems: readonly string[];
}

export interface PublicKeyFile {
  readonly file: string;
  readonly key: KeyObject;
}

export async function loadKeys(files: readonly string[]): Promise<PublicKeyFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const pem = await readFile(file, 'utf8').catch((err: unknown) => {
        throw ioError(err, file, 'read');
      });
      try {
        return { file, key: createPublicKey(pem) };
      } catch (err) {
        throw new BmpackError('E_CONFIG_INVALID', `${file} is not a PEM public key`, {
          hint: 'Give the public key cosign generate-key-pair wrote (cosign.pub), or one in PEM (BEGIN PUBLIC KEY).',
          cause: err,
          details: { file },
        });
      }
    }),
  );
}

export async function verifySignatures(
  path: string,
  keys: readonly PublicKeyFile[],
): Promise<SignatureCheck[]> {
  const bundle = await openBundleSource(path);
  try {
    return await checkAll(bundle, keys);
  } finally {
    await bundle.close();
  }
}

async function checkAll(
  bundle: BundleSource,
  keys: readonly PublicKeyFile[],
): Promise<SignatureCheck[]> {
  const fallback = fallbackRepository(bundle.path);
  const named = bundle.images.map((i) => ({ ...i, ref: listedReference(i.name, fallback).ref }));
  // bmpack.json says which images are referrers; for an archive without it, their tags do.
  const carried = new Set(
    (bundle.metadata?.images ?? []).flatMap((i) => (i.referrer !== undefined ? [i.ref] : [])),
  );
  const isReferrer = (name: string, tag: string | undefined): boolean =>
    carried.has(name) || (tag !== undefined && parseReferrerTag(tag) !== undefined);
  const subjects = named.filter((i) => !isReferrer(i.name, i.ref.tag));
  return Promise.all(
    subjects.map(async (s) => {
      const digest = s.descriptor.digest;
      const repo = `${s.ref.registry}/${s.ref.repository}`;
      const sigs = named.filter(
        (i) =>
          `${i.ref.registry}/${i.ref.repository}` === repo &&
          i.ref.tag !== undefined &&
          referrerTags([i.ref.tag], new Set([digest]), new Set(['signature'])).length > 0,
      );
      const [sig] = sigs;
      if (sig === undefined)
        return { image: s.name, digest, status: 'unsigned' as const, problems: [] };
      return checkSignature(bundle, s.name, digest, sig.descriptor.digest, keys);
    }),
  );
}

async function checkSignature(
  bundle: BundleSource,
  image: string,
  digest: string,
  manifestDigest: string,
  keys: readonly PublicKeyFile[],
): Promise<SignatureCheck> {
  const problems: string[] = [];
  const manifest = JSON.parse((await bundle.readDocument(manifestDigest)).toString('utf8')) as {
    layers?: Array<{
      mediaType?: unknown;
      digest?: unknown;
      annotations?: Record<string, unknown>;
    }>;
  };
  for (const layer of manifest.layers ?? []) {
    if (layer.mediaType !== simpleSigningMediaType || typeof layer.digest !== 'string') continue;
    const signature = layer.annotations?.[signatureAnnotation];
    const payload = await bundle.readDocument(layer.digest);
    if (sha256Digest(payload) !== layer.digest) {
      problems.push(`the payload ${layer.digest} does not match its digest`);
      continue;
    }
    const claim = readPayload(payload);
    if (claim === undefined || typeof signature !== 'string') {
      problems.push('a layer is not a cosign simple-signing payload with its signature');
      continue;
    }
    if (claim.digest !== digest) {
      problems.push(`a signature is over ${claim.digest}, not this image`);
      continue;
    }
    const key = keys.find((k) => signatureValid(payload, signature, k.key));
    if (key !== undefined)
      return {
        image,
        digest,
        status: 'signed',
        key: key.file,
        ...(claim.reference !== undefined ? { reference: claim.reference } : {}),
        problems,
      };
    problems.push('no given key verifies its signature');
  }
  return { image, digest, status: 'invalid', problems };
}
