import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { sealTarHeader } from '../../src/bundle-format/index.js';
import { createBundle } from '../../src/bundle-writer/create-bundle.js';
import { BmpackError, exitCodeFor } from '../../src/errors.js';
import { inspectBundle } from '../../src/inspect/inspect-bundle.js';
import { verifyBundle } from '../../src/verify/verify-bundle.js';
import { craftTar, type CraftEntry } from '../bundle-reader/archive-kit.js';
import { writeImageSet } from '../rig/release-fixture.js';
import { makeImage, makeIndex } from '../rig/image-generator.js';
import { writeLayout } from '../rig/layout.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { mulberry32, randomBuffer } from '../rig/prng.js';
import { startRegistry } from '../rig/registry.js';
import { seedImage } from '../rig/seed.js';
import { requireTool } from '../rig/tools.js';

/**
 * A fuzz test of the bundle readers (openBundleSource and every blob read
 * through it, bundle inspect, bundle verify in-process): seeded random
 * mutations of small bundles — bmpack's .tar.xz and .tar, a GNU tar of an
 * OCI layout, the same through single-block xz (LZMA), a docker save
 * archive — each end in a result or a BmpackError, never in another error
 * (a crash) and never in a hang (a per-case time limit). A blob read to its
 * end is exactly as long as the reader said; its bytes may be damaged
 * (the consumer hashes them), which the test checks by hashing them too.
 *
 * BMPACK_FUZZ_CASES (default 200) sets the number of cases, BMPACK_FUZZ_SEED
 * (default 1) the seed, BMPACK_FUZZ_ONLY (a part of a mutation's name)
 * narrows the mutations; a failure names the case, input and mutation, so
 * the same variables replay it. BMPACK_FUZZ_TALLY=1 prints the outcomes.
 */
describe('reliability: fuzzing the bundle readers', function () {
  const cases = positive(process.env.BMPACK_FUZZ_CASES) ?? 200;
  const seed = positive(process.env.BMPACK_FUZZ_SEED) ?? 1;
  const only = process.env.BMPACK_FUZZ_ONLY ?? '';
  const perCaseMs = 15_000;
  this.timeout(120_000 + cases * 2_000);
  let work: TrackedDir;
  const inputs: Array<{ name: string; bytes: Buffer; tar: boolean }> = [];

  before(async () => {
    const tar = requireTool('tar', 'tar');
    const xz = requireTool('xz', 'xz-utils');
    work = await makeTempDir('bmpack-fuzz-');
    const reg = await startRegistry('anonymous');
    try {
      const amd = makeImage({ seed: 1001, layers: 1, layerSize: 6000, format: 'oci' });
      const arm = makeImage({
        seed: 1002,
        layers: 1,
        layerSize: 6000,
        format: 'oci',
        platform: { os: 'linux', architecture: 'arm64' },
      });
      const docker = makeImage({ seed: 1003, layers: 2, layerSize: 4000, format: 'docker' });
      await seedImage(reg, makeIndex([amd, arm], 'oci'), 'fuzz/multi:1');
      await seedImage(reg, docker, 'fuzz/docker:1');
      const set = await writeImageSet([`${reg.host}/fuzz/multi:1`, `${reg.host}/fuzz/docker:1`]);
      try {
        for (const name of ['bmpack.tar.xz', 'bmpack.tar']) {
          await createBundle({
            manifests: [set.file],
            output: join(work.path, name),
            cacheDir: join(work.path, 'cache'),
            insecureRegistries: [reg.host],
            env: {},
          });
          inputs.push({
            name,
            bytes: await readFile(join(work.path, name)),
            tar: name.endsWith('.tar'),
          });
        }
      } finally {
        await set.cleanup();
      }
      const layout = join(work.path, 'layout');
      await writeLayout(layout, [{ ref: 'example.com/fuzz/app:1', image: amd }]);
      const layoutTar = join(work.path, 'layout.tar');
      await runTool(tar, ['-cf', layoutTar, '-C', layout, '.']);
      inputs.push({ name: 'layout.tar', bytes: await readFile(layoutTar), tar: true });
      // xz-utils' default: one Block of LZMA chunks, read sequentially.
      await runTool(xz, ['-k', '-T1', '-6', layoutTar]);
      inputs.push({ name: 'layout.tar.xz', bytes: await readFile(`${layoutTar}.xz`), tar: false });
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
      );
      const dockerArchive = craftTar([
        { name: 'cfg.json', data: config },
        { name: 'l1/layer.tar', data: craftTar([{ name: 'a.txt', data: Buffer.from('a') }]) },
        { name: 'l2/layer.tar', type: '2', linkName: '../l1/layer.tar' },
        {
          name: 'manifest.json',
          data: Buffer.from(
            JSON.stringify([
              {
                Config: 'cfg.json',
                RepoTags: ['example.com/fuzz/docker:1'],
                Layers: ['l1/layer.tar', 'l2/layer.tar'],
              },
            ]),
          ),
        },
      ]);
      inputs.push({ name: 'docker-save.tar', bytes: dockerArchive, tar: true });
    } finally {
      await reg.stop();
    }
  });
  after(async () => {
    await work.stop();
  });

  it('opens, inspects and verifies every unmutated input (the baseline)', async () => {
    for (const input of inputs) {
      const file = join(work.path, `base-${input.name}`);
      await writeFile(file, input.bytes);
      const outcome = await exercise(file);
      expect(outcome.failures, input.name).to.deep.equal([]);
      expect(outcome.labels, input.name).to.deep.equal([
        'open:ok',
        'open-unchecked:ok',
        'inspect:ok',
        'verify:ok',
      ]);
    }
  });

  it(`ends ${cases} mutated bundles in a result or a BmpackError: no crash, no hang`, async () => {
    const next = mulberry32(seed);
    const failures: string[] = [];
    const tally = new Map<string, number>();
    for (let i = 0; i < cases; i++) {
      const input = inputs[i % inputs.length]!;
      const mutation = pick(mutations(input.tar, only), next);
      const bytes = mutation.apply(Buffer.from(input.bytes), next);
      const file = join(work.path, `case-${i}-${input.name}`);
      await writeFile(file, bytes);
      const what = `case ${i} (seed ${seed}): ${input.name}, ${mutation.name}`;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        exercise(file),
        new Promise<Outcome>((resolve) => {
          timer = setTimeout(() => {
            resolve({ labels: [], failures: [`no result within ${perCaseMs} ms (a hang)`] });
          }, perCaseMs);
        }),
      ]).finally(() => {
        clearTimeout(timer);
      });
      for (const f of outcome.failures) failures.push(`${what}: ${f}`);
      for (const l of outcome.labels) tally.set(l, (tally.get(l) ?? 0) + 1);
      await rm(file, { force: true });
    }
    if (process.env.BMPACK_FUZZ_TALLY === '1') console.log(JSON.stringify([...tally].sort()));
    expect(failures, failures.slice(0, 5).join('\n\n')).to.deep.equal([]);
    // The mutations reached past the first check: some opened, some failed in each reader.
    expect(tally.get('open:ok') ?? 0, JSON.stringify([...tally])).to.be.greaterThan(0);
    expect(
      [...tally.keys()].filter((k) => k.startsWith('verify:E_')).length,
      JSON.stringify([...tally]),
    ).to.be.greaterThan(1);
  });
});

interface Outcome {
  /** reader:ok, reader:CODE or open:damaged-blob, for the tally. */
  readonly labels: string[];
  /** Anything but a result or a BmpackError. */
  readonly failures: string[];
}

/** Every reader on `file`: which ones succeeded, which failed cleanly, which crashed. */
async function exercise(file: string): Promise<Outcome> {
  const labels: string[] = [];
  const failures: string[] = [];
  const attempt = async (reader: string, work: () => Promise<string>): Promise<void> => {
    try {
      labels.push(`${reader}:${await work()}`);
    } catch (err) {
      if (err instanceof BmpackError && exitCodeFor(err.code) === err.exitCode && err.message) {
        labels.push(`${reader}:${err.code}`);
      } else {
        failures.push(`${reader} threw ${errorText(err)}`);
      }
    }
  };
  // push opens without the xz Checks (it hashes every blob): damage inside a Block reaches the tar reader.
  for (const [reader, containerChecks] of [
    ['open', true],
    ['open-unchecked', false],
  ] as const) {
    await attempt(reader, () => readAll(file, containerChecks));
  }
  await attempt('inspect', async () => {
    await inspectBundle(file);
    return 'ok';
  });
  await attempt('verify', async () => {
    await verifyBundle({ path: file, workers: 1 });
    return 'ok';
  });
  return { labels, failures };
}

/** Every image's document and every blob of `file`, each blob hashed: 'ok' or 'damaged-blob'. */
async function readAll(file: string, containerChecks: boolean): Promise<string> {
  const source = await openBundleSource(file, { containerChecks });
  try {
    let damaged = false;
    for (const image of source.images) {
      await source.readDocument(image.descriptor.digest).catch((err: unknown) => {
        if (!(err instanceof BmpackError)) throw err;
        damaged = true;
      });
    }
    for (const digest of source.blobOrder) {
      const hash = createHash('sha256');
      let length = 0;
      for await (const chunk of source.openBlob(digest)) {
        hash.update(chunk);
        length += chunk.length;
      }
      if (length !== source.blobSize(digest)) {
        throw new Error(`blob ${digest}: served ${length} bytes, said ${source.blobSize(digest)}`);
      }
      if (`sha256:${hash.digest('hex')}` !== digest) damaged = true;
    }
    return damaged ? 'damaged-blob' : 'ok';
  } finally {
    await source.close();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return `a non-Error: ${String(err)}`;
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

interface Mutation {
  readonly name: string;
  readonly apply: (b: Buffer, next: () => number) => Buffer;
}

function pick<T>(list: readonly T[], next: () => number): T {
  return list[next() % list.length]!;
}

/** XORs `count` bytes at offsets from `at` with non-zero random values. */
function flip(b: Buffer, next: () => number, count: number, at: () => number): Buffer {
  for (let k = 0; k < count; k++) {
    const pos = at();
    b[pos] = (b[pos] ?? 0) ^ (1 + (next() % 255));
  }
  return b;
}

/** Offsets of the ustar headers of a plain tar (walking sizes, as a reader would). */
function tarHeaders(b: Buffer): number[] {
  const out: number[] = [];
  for (let pos = 0; pos + 512 <= b.length;) {
    if (b.subarray(pos + 257, pos + 262).toString('latin1') !== 'ustar') break;
    out.push(pos);
    const size = parseInt(
      b
        .subarray(pos + 124, pos + 136)
        .toString('latin1')
        .trim() || '0',
      8,
    );
    pos += 512 + Math.ceil((Number.isFinite(size) ? size : 0) / 512) * 512;
  }
  return out;
}

/** Writes `value` into a header field and fixes the header's checksum, so the damage is believed. */
function setField(b: Buffer, header: number, offset: number, length: number, value: string): void {
  const field = Buffer.alloc(length);
  field.write(value.slice(0, length), 'latin1');
  field.copy(b, header + offset);
  sealTarHeader(b, header);
}

/** The mutations for an input, those whose name contains `only` when some do. */
function mutations(tar: boolean, only = ''): Mutation[] {
  const all = allMutations(tar);
  const chosen = all.filter((m) => m.name.includes(only));
  return chosen.length > 0 ? chosen : all;
}

function allMutations(tar: boolean): Mutation[] {
  const common: Mutation[] = [
    {
      name: 'flip 1-8 bytes anywhere',
      apply: (b, next) => flip(b, next, 1 + (next() % 8), () => next() % b.length),
    },
    {
      name: 'flip 1-4 bytes in the first 16 KiB (headers, metadata, index.json)',
      apply: (b, next) => flip(b, next, 1 + (next() % 4), () => next() % Math.min(b.length, 16384)),
    },
    {
      name: 'flip 1-4 bytes in the last 256 bytes (xz Index and footer, tar end)',
      apply: (b, next) =>
        flip(b, next, 1 + (next() % 4), () => b.length - 1 - (next() % Math.min(b.length, 256))),
    },
    { name: 'truncate', apply: (b, next) => b.subarray(0, next() % b.length) },
    {
      name: 'overwrite a span with random bytes',
      apply: (b, next) => {
        const span = randomBuffer(next, 1 + (next() % 1024));
        span.copy(b, next() % b.length);
        return b;
      },
    },
    {
      name: 'zero 512-4096 bytes at a block boundary',
      apply: (b, next) => {
        const at = (next() % Math.ceil(b.length / 512)) * 512;
        return b.fill(0, at, Math.min(b.length, at + 512 * (1 + (next() % 8))));
      },
    },
    {
      name: 'delete a span',
      apply: (b, next) => {
        const at = next() % b.length;
        return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + (next() % 700))]);
      },
    },
    {
      name: 'insert random bytes',
      apply: (b, next) => {
        const at = next() % b.length;
        const span = randomBuffer(next, 1 + (next() % 700));
        return Buffer.concat([b.subarray(0, at), span, b.subarray(at)]);
      },
    },
    {
      name: 'copy one 512-byte block over another',
      apply: (b, next) => {
        const blocks = Math.floor(b.length / 512);
        const from = (next() % blocks) * 512;
        b.copy(b, (next() % blocks) * 512, from, from + 512);
        return b;
      },
    },
  ];
  if (!tar) return common;
  const header = (b: Buffer, next: () => number): number | undefined => {
    const all = tarHeaders(b);
    return all.length === 0 ? undefined : all[next() % all.length];
  };
  return [
    ...common,
    {
      name: 'a header claims another size (checksum fixed)',
      apply: (b, next) => {
        const h = header(b, next);
        const magnitude = [0, 1, 511, 512, 1 << 20, 2 ** 33 - 1][next() % 6]!;
        const size = magnitude <= 1 ? magnitude : next() % magnitude;
        if (h !== undefined) setField(b, h, 124, 12, `${size.toString(8).padStart(11, '0')}\0`);
        return b;
      },
    },
    {
      name: 'a JSON document gets one value changed (what points at it by digest follows)',
      apply: (b, next) => mutateJson(b, next),
    },
    {
      name: 'a header gets another name or type (checksum fixed)',
      apply: (b, next) => {
        const h = header(b, next);
        if (h === undefined) return b;
        if (next() % 2 === 0) {
          const names = ['../escape', '/abs', 'index.json', 'bmpack.json', 'blobs/sha256/x', ''];
          setField(b, h, 0, 100, `${names[next() % names.length]!}\0`);
        } else {
          setField(b, h, 156, 1, '0125xLgK7'[next() % 9]!);
        }
        return b;
      },
    },
  ];
}

/** The entries of a plain tar (ustar headers only, as the inputs have), or undefined. */
function tarEntries(b: Buffer): CraftEntry[] | undefined {
  const out: CraftEntry[] = [];
  const text = (from: number, to: number): string =>
    b.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
  for (const h of tarHeaders(b)) {
    const size = parseInt(text(h + 124, h + 136).trim() || '0', 8);
    const prefix = text(h + 345, h + 500);
    const name = prefix === '' ? text(h, h + 100) : `${prefix}/${text(h, h + 100)}`;
    const flag = text(h + 156, h + 157) || '0';
    if (!['0', '1', '2', '5'].includes(flag) || !Number.isSafeInteger(size)) return undefined;
    out.push({
      name,
      type: flag as CraftEntry['type'],
      data: Buffer.from(b.subarray(h + 512, h + 512 + size)),
      linkName: text(h + 157, h + 257),
    });
  }
  return out;
}

/** Stands for 50 000 nested arrays, spliced in after JSON.stringify (which would overflow on them). */
const deepMarker = 'DEEP-NESTING-MARKER';
const deepText = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;

/** JSON values that readers must refuse or survive. */
const oddValues: ReadonlyArray<() => unknown> = [
  () => -1,
  () => 2 ** 53,
  () => 1e308,
  () => 0.5,
  () => '',
  () => 'x',
  () => null,
  () => [],
  () => ({}),
  () => true,
  () => 'y'.repeat(100_000),
  () => deepMarker,
  () => `sha256:${'0'.repeat(64)}`,
  () => '../../etc/passwd',
  () => 'application/vnd.oci.image.index.v1+json',
  () => 'linux/amd64',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in `value` (as a path of keys), the root included. */
function placesIn(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const out = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...placesIn(v, [...path, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...placesIn(v, [...path, k]));
  }
  return out;
}

/** Sets (or, one time in four, deletes) the value at `path`; returns the new root. */
function setAt(root: Json, path: ReadonlyArray<string | number>, value: Json, del: boolean): Json {
  if (path.length === 0) return value;
  let parent = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (del && Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (del) Reflect.deleteProperty(parent, last);
  else parent[last] = value;
  return root;
}

/** Points every descriptor (an object with this digest) of `value` at `digest` and `size`. */
function repoint(value: Json, from: string, digest: string, size: number): void {
  if (Array.isArray(value)) for (const v of value) repoint(v, from, digest, size);
  else if (value !== null && typeof value === 'object') {
    if (value.digest === from) {
      value.digest = digest;
      if (typeof value.size === 'number') value.size = size;
    }
    for (const v of Object.values(value)) repoint(v, from, digest, size);
  }
}

/**
 * One JSON document of a plain tar (bmpack.json, index.json, a manifest,
 * a config, docker's manifest.json) with one value replaced or removed. A
 * blob's new bytes get their new digest, and index.json and bmpack.json
 * follow, so that the reader gets past the digest check into the document.
 */
function mutateJson(b: Buffer, next: () => number): Buffer {
  const entries = tarEntries(b);
  const docs = (entries ?? []).filter((e) => e.data !== undefined && e.data[0] === 0x7b);
  if (entries === undefined || docs.length === 0) return b;
  const doc = docs[next() % docs.length]!;
  let value = JSON.parse(doc.data!.toString('utf8')) as Json;
  const places = placesIn(value);
  const place = places[next() % places.length]!;
  value = setAt(value, place, oddValues[next() % oddValues.length]!() as Json, next() % 4 === 0);
  const data = Buffer.from(JSON.stringify(value).replace(`"${deepMarker}"`, deepText));
  const blob = /^(?:\.\/)?blobs\/sha256\/([a-f0-9]{64})$/.exec(doc.name);
  let edited = entries.map((e) => (e === doc ? { ...e, data } : e));
  if (blob !== null) {
    const from = `sha256:${blob[1]!}`;
    const hex = createHash('sha256').update(data).digest('hex');
    edited = edited.map((e) => {
      if (e.data === data) return { ...e, name: e.name.replace(blob[1]!, hex) };
      if (!/(^|\/)(index|bmpack)\.json$/.test(e.name) || e.data === undefined) return e;
      const other = JSON.parse(e.data.toString('utf8')) as Json;
      repoint(other, from, `sha256:${hex}`, data.length);
      return { ...e, data: Buffer.from(JSON.stringify(other)) };
    });
  }
  return craftTar(edited);
}
