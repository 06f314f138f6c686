/**
 * Opening a bundle to push from. The container is told by its magic bytes
 * (xz, or a tar by its ustar magic; gzip and friends are refused with what
 * to do instead), the content by its entries:
 *
 * - a bmpack bundle (docs/bundle-format.md) is recognised from its first
 *   entries; every blob's place then follows from bmpack.json, so opening
 *   reads the xz Index and the first Block (or the first few headers of a
 *   plain tar) and nothing else, whatever the bundle's size;
 * - anything else (an OCI image layout packed by tar, optionally through xz;
 *   a `docker save` archive) is scanned once, header by header, into a
 *   table of entries.
 *
 * Blobs are then read in place: by position in a plain tar, through the xz
 * Index in a multi-block .tar.xz (both random access), or by one decoder
 * moving forward in a single-block .tar.xz (sequential-xz-reader.ts).
 */
import { openBundleFile } from '../fs/bundle-file.js';
import { isBmpackError } from '../errors.js';
import {
  decodeFileWithXzTool,
  readXzIndex,
  startsWithLzmaChunk,
  xzRangeChunks,
  xzTool,
  type XzBlockInfo,
  type XzIndex,
} from '../xz/index.js';
import { archiveIoError, bundleInvalid } from './archive-errors.js';
import { checkLayoutFits, probeBmpackHead, type FastLayout } from './bmpack-fast-path.js';
import { containerProbeSize, detectContainer } from './container-magic.js';
import { dockerArchiveParts } from './docker-archive-parts.js';
import { EntryTable } from './entry-table.js';
import { entryDigest } from './entry-digest.js';
import { FileRangeReader } from './file-range-reader.js';
import { FileTarInput } from './file-tar-input.js';
import { layoutDocuments } from './layout-documents.js';
import { SequentialXzReader } from './sequential-xz-reader.js';
import { StreamTarInput } from './stream-tar-input.js';
import type { BundleSource } from './bundle-source.js';
import { TarBundleSource, type BlobLocation, type Span } from './tar-bundle-source.js';
import { isTarHeaderBlock, tarBlockSize } from '../bundle-format/index.js';
import type { TarRangeReader } from './tar-range-reader.js';
import { TarScanner } from './tar-scanner.js';
import { XzBlockRangeReader } from './xz-block-range-reader.js';

const supportedHint = (file: string): string =>
  `bmpack reads bundles as .tar or .tar.xz: convert ${file}, for example \`gzip -dc FILE.tar.gz | xz -T0 > FILE.tar.xz\` (multi-threaded xz also makes blobs readable in parallel).`;

/**
 * Opens the archive at `path`.
 *
 * @throws BmpackError E_BUNDLE_INVALID (naming the file, and the entry or
 *   blob at fault) when it is not a tar or .tar.xz of a bmpack bundle, an OCI
 *   image layout or a docker save archive, or is truncated or malformed;
 *   E_XZ_INVALID when its xz container is damaged; E_IO when it cannot be read.
 */
export interface OpenOptions {
  /**
   * Verify the xz blocks' checks while reading blobs (default). A consumer
   * that verifies every blob's sha256 as it passes (push) may turn this
   * off: the digest is the stronger check and the CRC costs a CPU pass.
   */
  readonly containerChecks?: boolean;
}

export async function openBundleSource(
  path: string,
  opts: OpenOptions = {},
): Promise<BundleSource> {
  const head = await readHead(path);
  if (head.length === 0) throw bundleInvalid(path, 'the file is empty');
  const container = detectContainer(head);
  switch (container.kind) {
    case 'xz':
      return openXzArchive(path, head, opts.containerChecks ?? true);
    case 'tar':
      return openTarArchive(path);
    case 'unsupported':
      throw bundleInvalid(
        path,
        `the file is ${container.format}, which bmpack does not read: .tar.gz is not supported`,
        { hint: supportedHint(path) },
      );
    case 'unknown':
      throw bundleInvalid(
        path,
        'the file is neither a tar nor an .xz file (no ustar or xz magic)',
        {
          hint: `${path} is not an image archive, or is damaged. ${supportedHint(path)}`,
        },
      );
  }
}

async function readHead(path: string): Promise<Buffer> {
  let fh;
  try {
    fh = await openBundleFile(path);
  } catch (err) {
    throw archiveIoError(path, 'open', err);
  }
  try {
    const buf = Buffer.alloc(containerProbeSize);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw archiveIoError(path, 'read', err);
  } finally {
    await fh.close();
  }
}

async function openTarArchive(path: string): Promise<TarBundleSource> {
  const input = await FileTarInput.open(path);
  try {
    const table = new EntryTable(path);
    const scanner = new TarScanner(input, { file: path, hash: false });
    const reader = new FileRangeReader(path);
    const fast = await probeBmpackHead(scanner, table, path);
    if (fast !== undefined) {
      checkLayoutFits(fast, input.size, path);
      return bmpackSource(path, 'tar', table, fast, reader);
    }
    await scanRest(scanner, table);
    return await scannedSource(path, 'tar', table, reader);
  } finally {
    await input.close();
  }
}

async function openXzArchive(
  path: string,
  head: Buffer,
  checks: boolean,
): Promise<TarBundleSource> {
  const index = await readXzIndex(path);
  const blocks = index.blocks.filter((b) => b.uncompressedSize > 0);
  if (blocks.length === 0) throw bundleInvalid(path, 'the .xz file holds no data');
  const randomAccess = blocks.length > 1;
  const input = scanInput(path, index, blocks, randomAccess && startsWithLzmaChunk(head));
  try {
    if (!isTarHeaderBlock(await input.peek(tarBlockSize))) {
      throw bundleInvalid(path, 'the .xz file does not hold a tar (no ustar magic at its start)', {
        hint: `${path} is not an image archive. ${supportedHint(path)}`,
      });
    }
    const table = new EntryTable(path);
    const scanner = new TarScanner(input, { file: path, hash: true });
    const fast = await probeBmpackHead(scanner, table, path);
    if (fast !== undefined) {
      checkLayoutFits(fast, index.uncompressedSize, path);
      if (!randomAccess) {
        // A bmpack bundle recompressed into one Block: bmpack.json places
        // every blob, so the blobs are read in one forward pass, without a
        // scan. The Block's Check is at the end of the file, but nothing read
        // here goes unchecked: every blob and manifest is verified by digest,
        // and index.json against bmpack.json (layout-documents.ts).
        return bmpackSource(path, 'xz', table, fast, new SequentialXzReader(path, index, checks));
      }
      // The rest of the Block holding the head is read so that its Check is verified.
      await input.finishSegment();
      return bmpackSource(path, 'xz', table, fast, new XzBlockRangeReader(path, index, checks));
    }
    await scanRest(scanner, table);
    // As the caller asked: push turns checks off (it hashes every blob; the scan verified every Check).
    const reader = randomAccess
      ? new XzBlockRangeReader(path, index, checks)
      : new SequentialXzReader(path, index, checks);
    return await scannedSource(path, 'xz', table, reader);
  } catch (err) {
    throw await rootCause(err, input);
  } finally {
    await input.close();
  }
}

/**
 * What the scan reads. One segment per Block: the scan pulls bytes only as
 * it needs them, so stopping after bmpack's head leaves every later Block
 * untouched. A foreign file of LZMA Blocks is read to its end anyway: with
 * `xz` on PATH, one run of it decodes the whole file (xz-tool-decoder.ts).
 */
function scanInput(
  path: string,
  index: XzIndex,
  blocks: readonly XzBlockInfo[],
  lzma: boolean,
): StreamTarInput {
  const tool = lzma ? xzTool() : null;
  if (tool !== null) {
    const size = index.uncompressedSize;
    return new StreamTarInput([{ size, open: () => decodeFileWithXzTool(tool, path, size) }]);
  }
  return new StreamTarInput(
    blocks.map((b) => ({
      size: b.uncompressedSize,
      open: () =>
        xzRangeChunks(path, index, b.uncompressedOffset, b.uncompressedOffset + b.uncompressedSize),
    })),
  );
}

/** How much of a Block is read to find out whether it is damaged. */
const diagnosisLimit = 64 * 1024 * 1024;

/**
 * Bytes of an xz Block are parsed as they are decoded, before the Block's
 * Check is verified at its end: a damaged Block shows up first as a
 * malformed tar or JSON. When that happens, the rest of the Block (if not
 * too large) is read so that a failing Check is reported as what it is.
 */
async function rootCause(err: unknown, input: StreamTarInput): Promise<unknown> {
  if (!isBmpackError(err, 'E_BUNDLE_INVALID')) return err;
  try {
    await input.finishSegment(diagnosisLimit);
  } catch (xzErr) {
    if (isBmpackError(xzErr, 'E_XZ_INVALID')) return xzErr;
  }
  return err;
}

async function scanRest(scanner: TarScanner, table: EntryTable): Promise<void> {
  for (let e = await scanner.next(); e !== undefined; e = await scanner.next()) table.add(e);
}

function bmpackSource(
  path: string,
  container: 'tar' | 'xz',
  table: EntryTable,
  fast: FastLayout,
  reader: TarRangeReader,
): TarBundleSource {
  const { images } = layoutDocuments(table, path);
  const blobs = new Map<string, BlobLocation>();
  for (const p of fast.layout.placements.values()) {
    blobs.set(p.digest, {
      size: p.size,
      dataOffset: p.headerOffset + tarBlockSize,
      headerPath: p.path,
    });
  }
  // A delta bundle (metadata.base) may leave out what its base already holds.
  for (const image of fast.metadata.base === undefined ? images : []) {
    if (!blobs.has(image.descriptor.digest)) {
      throw bundleInvalid(
        path,
        `index.json points ${image.name} at ${image.descriptor.digest}, which bmpack.json does not list`,
        { entry: 'index.json', blob: image.descriptor.digest },
      );
    }
  }
  const span = documentSpan(fast);
  return new TarBundleSource({
    path,
    kind: 'bmpack',
    container,
    metadata: fast.metadata,
    images,
    blobs,
    ...(span !== undefined ? { documentSpan: span } : {}),
    reader,
  });
}

/** Most bytes of manifests read in one piece. */
const documentSpanLimit = 64 * 1024 * 1024;

/**
 * Where bmpack's indexes and manifests are (docs/bundle-format.md §1: first
 * among the blobs, one after the other), headers included.
 */
function documentSpan(fast: FastLayout): Span | undefined {
  let start = Infinity;
  let end = 0;
  for (const b of fast.metadata.blobs) {
    if (b.kind !== 'index' && b.kind !== 'manifest') continue;
    const p = fast.layout.placements.get(b.digest);
    if (p === undefined) continue;
    start = Math.min(start, p.headerOffset);
    end = Math.max(end, p.headerOffset + tarBlockSize + p.size);
  }
  return end > start && end - start <= documentSpanLimit ? { start, end } : undefined;
}

async function scannedSource(
  path: string,
  container: 'tar' | 'xz',
  table: EntryTable,
  reader: TarRangeReader,
): Promise<TarBundleSource> {
  await checkDuplicates(table, reader, path);
  if (table.get('index.json') !== undefined) {
    // An OCI layout; docker 25+ `docker save` writes one beside its manifest.json.
    const { images, metadata } = layoutDocuments(table, path);
    const blobs = new Map<string, BlobLocation>();
    for (const [digest, e] of table.layoutBlobs()) {
      blobs.set(digest, {
        size: e.size,
        dataOffset: e.dataOffset,
        ...(e.document !== undefined ? { document: e.document } : {}),
      });
    }
    return new TarBundleSource({
      path,
      kind: metadata !== undefined ? 'bmpack' : 'oci-layout',
      container,
      ...(metadata !== undefined ? { metadata } : {}),
      images,
      blobs,
      reader,
    });
  }
  if (table.get('manifest.json') !== undefined) {
    const parts = await dockerArchiveParts(table, reader, path);
    return new TarBundleSource({ path, kind: 'docker-archive', container, ...parts, reader });
  }
  throw bundleInvalid(
    path,
    'the archive is neither an OCI image layout (no index.json) nor a docker save archive (no manifest.json)',
    {
      hint: `bmpack pushes bmpack bundles, tars of OCI image layouts (\`skopeo copy SRC oci:DIR:NAME\`, then \`tar -cf FILE -C DIR .\`) and \`docker save\` archives.`,
    },
  );
}

/** A path stored twice must hold the same bytes twice (compared here when the scan did not hash). */
async function checkDuplicates(
  table: EntryTable,
  reader: TarRangeReader,
  path: string,
): Promise<void> {
  for (const [a, b] of table.unverifiedDuplicates) {
    const [da, db] = [await entryDigest(a, reader), await entryDigest(b, reader)];
    if (da.digest !== db.digest) {
      throw bundleInvalid(
        path,
        `${JSON.stringify(a.path)} appears twice in the archive, with different content`,
        {
          entry: b.rawPath,
          hint: `An archive must hold each path once (or the same content twice): which copy is meant is ambiguous. Re-create it.`,
        },
      );
    }
  }
}
