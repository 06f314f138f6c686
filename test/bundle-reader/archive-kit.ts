/**
 * Shared tools of the archive tests: hand-made tar entries for the cases
 * real tools will not write (climbing paths, links named like blobs,
 * duplicates), byte flips, reading sources back, and skopeo with a
 * private policy.
 */
import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BundleSource } from '../../src/bundle-reader/index.js';
import {
  encodePaxRecords,
  encodeTarHeader,
  tarPadding,
  tarTrailerSize,
  type TarWriteType,
} from '../../src/bundle-format/index.js';
import { runTool } from '../rig/processes.js';
import { requireTool } from '../rig/tools.js';

export const tar = (): string => requireTool('tar', 'tar');
export const xz = (): string => requireTool('xz', 'xz-utils');
export const skopeo = (): string => requireTool('skopeo', 'skopeo');

/** One entry of {@link craftTar}. */
export interface CraftEntry {
  name: string;
  /** Typeflag: '0' file (default), '1' hard link, '2' symlink, '3' char device, '5' directory. */
  type?: '0' | '1' | '2' | '3' | '5';
  data?: Buffer;
  linkName?: string;
  /** Records of a pax extended header written before the entry. */
  pax?: Record<string, string>;
}

const writeTypes = {
  '0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '5': 'directory',
} as const satisfies Record<NonNullable<CraftEntry['type']>, TarWriteType>;

function header(path: string, type: TarWriteType, size: number, linkName?: string): Buffer {
  return encodeTarHeader({
    path,
    type,
    size,
    mtime: 0,
    ...(linkName !== undefined ? { linkName } : {}),
  });
}

function padded(data: Buffer): Buffer[] {
  const pad = tarPadding(data.length);
  return pad > 0 ? [data, Buffer.alloc(pad)] : [data];
}

/** A ustar archive of exactly these entries, with the end-of-archive marker. */
export function craftTar(entries: readonly CraftEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? '0';
    const data = type === '0' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    if (e.pax !== undefined) {
      const records = encodePaxRecords(e.pax);
      parts.push(header('PaxHeaders/x', 'pax', records.length), ...padded(records));
    }
    parts.push(header(e.name, writeTypes[type], data.length, e.linkName), ...padded(data));
  }
  parts.push(Buffer.alloc(tarTrailerSize));
  return Buffer.concat(parts);
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function readStream(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Every blob of `source`, read (in blobOrder, one at a time unless random access allows more) and checked against its digest. */
export async function checkAllBlobs(source: BundleSource, parallel = 4): Promise<number> {
  const order = [...source.blobOrder];
  const readOne = async (digest: string): Promise<number> => {
    const bytes = await readStream(source.openBlob(digest));
    expect(sha256(bytes), `blob ${digest}`).to.equal(digest);
    expect(bytes.length).to.equal(source.blobSize(digest));
    return bytes.length;
  };
  let total = 0;
  if (!source.randomAccess) {
    for (const d of order) {
      const n = await readOne(d);
      total += n;
    }
    return total;
  }
  const queue = [...order];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        const n = await readOne(d);
        total += n;
      }
    }),
  );
  return total;
}

/** XORs the byte at `offset` of `file` with 0xff. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    b[0] = (b[0] ?? 0) ^ 0xff;
    await fh.write(b, 0, 1, offset);
  } finally {
    await fh.close();
  }
}

/** skopeo with its own (permissive) policy and an empty registries.conf, as the rig's seedImage runs it. */
export async function runSkopeo(dir: string, args: readonly string[]): Promise<Buffer> {
  const policy = join(dir, 'policy.json');
  const conf = join(dir, 'registries.conf');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  await writeFile(conf, '');
  return runTool(skopeo(), ['--policy', policy, ...args], {
    env: { ...process.env, CONTAINERS_REGISTRIES_CONF: conf },
    timeoutMs: 120_000,
  });
}
