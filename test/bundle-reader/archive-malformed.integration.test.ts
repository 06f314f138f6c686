import {
  copyFile,
  mkdir,
  readFile,
  rm,
  symlink,
  link,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { openBundleSource } from '../../src/bundle-reader/index.js';
import { ContentVerifier } from '../../src/content/verifier.js';
import { makeImage, type GeneratedImage } from '../rig/image-generator.js';
import { writeLayout } from '../rig/layout.js';
import { runTool } from '../rig/processes.js';
import { makeTempDir, type TrackedDir } from '../rig/temp-dir.js';
import { mulberry32, randomBuffer } from '../rig/prng.js';
import { craftTar, flipByte, readStream, tar, xz } from './archive-kit.js';
import { rejection, thrown } from '../rig/rejection.js';

/**
 * Damaged and hostile archives, made with GNU tar and xz from a layout on
 * disk (and by hand where no tool writes such a thing): every one must fail
 * with a clear error naming the file, never crash or hang.
 */
describe('archive: malformed and hostile input', function () {
  this.timeout(60_000);
  let work: TrackedDir;
  let image: GeneratedImage;
  let layoutDir: string;
  let good: string;
  const at = (name: string): string => join(work.path, name);

  before(async () => {
    work = await makeTempDir('bmpack-archive-bad-');
    image = makeImage({ seed: 51, layers: 2, layerSize: 60_000, format: 'oci' });
    layoutDir = at('layout');
    await writeLayout(layoutDir, [{ ref: 'example.com/app:1', image }]);
    good = at('good.tar');
    await runTool(tar(), ['-cf', good, '-C', layoutDir, '.']);
  });
  after(async () => {
    await work.stop();
  });

  /** A copy of the layout directory to damage. */
  async function layoutCopy(name: string): Promise<string> {
    const dir = at(name);
    await runTool('cp', ['-r', layoutDir, dir]);
    return dir;
  }

  it('opens the undamaged layout (the baseline)', async () => {
    const source = await openBundleSource(good);
    try {
      expect(source.kind).to.equal('oci-layout');
      expect(source.images.map((i) => i.name)).to.deep.equal(['example.com/app:1']);
      expect(await source.readDocument(image.manifestDigest)).to.deep.equal(image.manifest);
    } finally {
      await source.close();
    }
  });

  it('serves a flipped byte as stored: readDocument and the consumer’s verification catch it', async () => {
    const file = at('flipped.tar');
    await copyFile(good, file);
    const bytes = await readFile(file);
    await flipByte(file, bytes.indexOf(image.manifest) + 10);
    const layer = image.layers[1]!;
    await flipByte(file, bytes.indexOf(layer.data) + 1000);
    const source = await openBundleSource(file);
    try {
      const err = await rejection(source.readDocument(image.manifestDigest));
      expect(err.code).to.equal('E_DIGEST_MISMATCH');
      expect(err.message).to.contain(image.manifestDigest).and.contain(file);
      expect(err.cause).to.be.instanceOf(Error);
      const verifier = new ContentVerifier(layer, `blob ${layer.digest}`);
      const stored = await readStream(source.openBlob(layer.digest));
      expect(stored.length).to.equal(layer.size);
      verifier.update(stored);
      expect(() => {
        verifier.finish();
      }).to.throw(/digest is/);
    } finally {
      await source.close();
    }
  });

  it('refuses truncated archives: plain tar (mid-entry and without its end marker) and .tar.xz', async () => {
    const size = (await readFile(good)).length;
    const mid = at('mid.tar');
    await copyFile(good, mid);
    await truncate(mid, Math.floor(size / 2));
    let err = await rejection(openBundleSource(mid));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message)
      .to.contain(mid)
      .and.match(/truncated/);
    // GNU tar ends with two zero blocks and pads to a 10 KiB record: cut all of that.
    const noMarker = at('no-marker.tar');
    await copyFile(good, noMarker);
    await truncate(noMarker, await lastEntryEnd(good));
    err = await rejection(openBundleSource(noMarker));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('end-of-archive marker');
    await runTool(xz(), ['-k', '-f', good]);
    const cutXz = at('cut.tar.xz');
    await copyFile(`${good}.xz`, cutXz);
    await truncate(cutXz, 4000);
    err = await rejection(openBundleSource(cutXz));
    expect(err.code).to.equal('E_XZ_INVALID');
    expect(err.message).to.contain(cutXz);
  });

  it('refuses entries that climb out of the archive or are absolute (hand-made and GNU tar -P)', async () => {
    const crafted = at('climb.tar');
    await writeFile(
      crafted,
      craftTar([
        { name: 'oci-layout', data: Buffer.from('{}') },
        { name: '../x', data: Buffer.from('x') },
      ]),
    );
    let err = await rejection(openBundleSource(crafted));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain(crafted).and.contain('../x');
    expect(err.details['entry']).to.equal('../x');
    const gnu = at('gnu-climb.tar');
    await mkdir(at('cwd'));
    await writeFile(at('outside'), 'x');
    await runTool(tar(), ['-cPf', gnu, '../outside'], { cwd: at('cwd') });
    err = await rejection(openBundleSource(gnu));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('../outside');
    const absolute = at('absolute.tar');
    await runTool(tar(), ['-cPf', absolute, at('outside')]);
    err = await rejection(openBundleSource(absolute));
    expect(err.message).to.contain('absolute path');
  });

  it('refuses a symlink or a hard link named like a blob', async () => {
    const dir = await layoutCopy('symlinked');
    const blob = join(dir, 'blobs', 'sha256', image.layers[0]!.digest.slice(7));
    await rm(blob);
    await writeFile(join(dir, 'elsewhere'), image.layers[0]!.data);
    await symlink('../../elsewhere', blob);
    const file = at('symlinked.tar');
    await runTool(tar(), ['-cf', file, '-C', dir, '.']);
    let err = await rejection(openBundleSource(file));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain(image.layers[0]!.digest.slice(7)).and.contain('symlink');
    const hard = await layoutCopy('hardlinked');
    const target = join(hard, 'blobs', 'sha256', image.layers[1]!.digest.slice(7));
    await rm(target);
    await copyFile(join(hard, 'oci-layout'), join(hard, 'a-first'));
    await link(join(hard, 'a-first'), target);
    const hardFile = at('hardlinked.tar');
    // a-first is stored first, so the blob path becomes the hard link.
    await runTool(tar(), [
      '-cf',
      hardFile,
      '-C',
      hard,
      'a-first',
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    err = await rejection(openBundleSource(hardFile));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('hardlink');
    const device = at('device.tar');
    await writeFile(device, craftTar([{ name: `blobs/sha256/${'b'.repeat(64)}`, type: '3' }]));
    err = await rejection(openBundleSource(device));
    expect(err.message).to.contain('other');
  });

  it('refuses a path stored twice with different content, plain and in xz, and accepts the same content twice', async () => {
    const other = at('other');
    await mkdir(other);
    await writeFile(join(other, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const twice = at('twice.tar');
    await copyFile(good, twice);
    await runTool(tar(), ['-rf', twice, '-C', other, './index.json']);
    let err = await rejection(openBundleSource(twice));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('index.json').and.contain('twice');
    await runTool(xz(), ['-k', '-f', twice]);
    err = await rejection(openBundleSource(`${twice}.xz`));
    expect(err.message).to.contain('twice');
    // Same size, different bytes: only the content comparison can tell.
    const sameSize = at('same-size');
    await mkdir(sameSize);
    const original = await readFile(join(layoutDir, 'index.json'));
    await writeFile(join(sameSize, 'index.json'), original.toString().replace('app:1', 'app:2'));
    const swapped = at('swapped.tar');
    await copyFile(good, swapped);
    await runTool(tar(), ['-rf', swapped, '-C', sameSize, './index.json']);
    err = await rejection(openBundleSource(swapped));
    expect(err.message).to.contain('different content');
    const same = at('same.tar');
    await copyFile(good, same);
    await runTool(tar(), ['-rf', same, '-C', layoutDir, './index.json']);
    const source = await openBundleSource(same);
    expect(source.images).to.have.length(1);
    await source.close();
  });

  it('refuses garbage, gzip, xz of garbage, an empty file and a missing one, naming the file', async () => {
    const garbage = at('garbage.bin');
    await writeFile(garbage, randomBuffer(mulberry32(5), 100_000));
    let err = await rejection(openBundleSource(garbage));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain(garbage).and.contain('neither a tar');
    const gz = at('layout.tar.gz');
    await writeFile(gz, gzipSync(await readFile(good)));
    err = await rejection(openBundleSource(gz));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('.tar.gz is not supported');
    expect(err.hint).to.contain('.tar.xz');
    await runTool(xz(), ['-k', '-f', garbage]);
    err = await rejection(openBundleSource(`${garbage}.xz`));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('does not hold a tar');
    const empty = at('empty.tar');
    await writeFile(empty, '');
    err = await rejection(openBundleSource(empty));
    expect(err.message).to.contain('empty');
    err = await rejection(openBundleSource(at('missing.tar')));
    expect(err.code).to.equal('E_IO');
    const fakeXz = at('fake.xz');
    await writeFile(
      fakeXz,
      Buffer.concat([
        Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]),
        randomBuffer(mulberry32(6), 4090),
      ]),
    );
    err = await rejection(openBundleSource(fakeXz));
    expect(err.code).to.equal('E_XZ_INVALID');
  });

  it('refuses a damaged header in the middle of the archive, naming its offset', async () => {
    const file = at('bad-header.tar');
    await copyFile(good, file);
    const bytes = await readFile(file);
    const hex = image.layers[1]!.digest.slice(7);
    const nameAt = bytes.indexOf(`./blobs/sha256/${hex}`);
    await flipByte(file, nameAt + 20);
    const err = await rejection(openBundleSource(file));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain(`byte ${nameAt}`).and.contain('checksum');
  });

  it('refuses unnamed images, archives that are neither layout nor docker save, and absent blobs', async () => {
    const unnamed = await layoutCopy('unnamed');
    const index = JSON.parse(await readFile(join(unnamed, 'index.json'), 'utf8')) as {
      manifests: Array<{ annotations?: unknown }>;
    };
    delete index.manifests[0]!.annotations;
    await writeFile(join(unnamed, 'index.json'), JSON.stringify(index));
    const file = at('unnamed.tar');
    await runTool(tar(), ['-cf', file, '-C', unnamed, '.']);
    let err = await rejection(openBundleSource(file));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message).to.contain('manifests[0]').and.contain('no image name');
    expect(err.hint).to.contain('oci:DIR:NAME');
    const neither = at('neither.tar');
    await writeFile(neither, craftTar([{ name: 'README', data: Buffer.from('hello') }]));
    err = await rejection(openBundleSource(neither));
    expect(err.message).to.contain('neither an OCI image layout');
    const noLayout = at('no-oci-layout.tar');
    await runTool(tar(), ['-cf', noLayout, '-C', layoutDir, 'index.json', 'blobs']);
    err = await rejection(openBundleSource(noLayout));
    expect(err.message).to.contain('no oci-layout');
    const source = await openBundleSource(good);
    try {
      const absent = `sha256:${'0'.repeat(64)}`;
      err = thrown(() => source.openBlob(absent));
      expect(err.code).to.equal('E_BUNDLE_INVALID');
      expect(err.message).to.contain(absent).and.contain(good);
      err = await rejection(source.readDocument(absent));
      expect(err.code).to.equal('E_BUNDLE_INVALID');
      expect(source.blobSize(absent)).to.equal(undefined);
    } finally {
      await source.close();
    }
  });

  it('refuses a docker save archive whose image has no RepoTags, naming it', async () => {
    const config = Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}');
    const file = at('untagged.tar');
    await writeFile(
      file,
      craftTar([
        { name: 'abc.json', data: config },
        {
          name: 'manifest.json',
          data: Buffer.from(JSON.stringify([{ Config: 'abc.json', RepoTags: null, Layers: [] }])),
        },
      ]),
    );
    const err = await rejection(openBundleSource(file));
    expect(err.code).to.equal('E_BUNDLE_INVALID');
    expect(err.message)
      .to.contain('manifest.json [0]')
      .and.contain('abc.json')
      .and.contain('RepoTags');
    expect(err.hint).to.contain('docker save NAME:TAG');
  });

  it('reads pax and GNU long-name archives', async () => {
    const dir = await layoutCopy('long');
    const longName = `${'n'.repeat(120)}.txt`;
    await writeFile(join(dir, longName), 'tolerated: unknown files are ignored');
    for (const format of ['pax', 'gnu']) {
      const file = at(`long-${format}.tar`);
      await runTool(tar(), [`--format=${format}`, '-cf', file, '-C', dir, '.']);
      const source = await openBundleSource(file);
      try {
        expect(source.kind).to.equal('oci-layout');
        expect(await source.readDocument(image.manifestDigest)).to.deep.equal(image.manifest);
        const layer = await readStream(source.openBlob(image.layers[0]!.digest));
        expect(layer).to.deep.equal(image.layers[0]!.data);
      } finally {
        await source.close();
      }
    }
  });

  it('never hangs on arbitrary damage: flipping bytes anywhere gives a result or a BmpackError', async () => {
    const bytes = await readFile(good);
    const next = mulberry32(77);
    for (let i = 0; i < 40; i++) {
      const file = at(`fuzz-${i}.tar`);
      const copy = Buffer.from(bytes);
      for (let k = 0; k < 4; k++) {
        const pos = next() % Math.min(copy.length, 8192 + (next() % copy.length));
        copy[pos] = (copy[pos] ?? 0) ^ (1 + (next() % 255));
      }
      await writeFile(file, copy);
      try {
        const source = await openBundleSource(file);
        for (const d of source.blobOrder) {
          await pipeline(
            source.openBlob(d),
            new Writable({
              write: (_c, _e, cb) => {
                cb();
              },
            }),
          );
        }
        await source.close();
      } catch (err) {
        expect(err, String(err)).to.have.property('code');
      }
      await rm(file);
    }
  });
});

/** Offset just past the last entry's data and padding (before GNU tar's end marker and record padding). */
async function lastEntryEnd(file: string): Promise<number> {
  const bytes = await readFile(file);
  let pos = 0;
  let end = 0;
  while (pos + 512 <= bytes.length) {
    const block = bytes.subarray(pos, pos + 512);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(
      block.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0',
      8,
    );
    pos += 512 + Math.ceil(size / 512) * 512;
    end = pos;
  }
  return end;
}
