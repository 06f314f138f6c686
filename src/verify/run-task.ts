/**
 * Carries out one verify task where it runs (a worker, or the main thread
 * with one worker): a range task reads its stretch of the tar — Block by
 * Block through the xz decoder, which verifies each Block's Check, or by
 * plain reads — and feeds it to an EntryWalker; a file task hashes the
 * whole file. Damage is recorded, not thrown, so that one bad Block does
 * not hide the next: Blocks are decoded one by one with the decoder behind
 * openXzRange (which would stop at the first bad one), on one file handle.
 */
import { openBundleFile, type BundleFile } from '../fs/bundle-file.js';
import { fileSha256 } from '../content/file-sha256.js';
import { isBmpackError } from '../errors.js';
import { ioError } from '../fs/atomic-file.js';
import { decodeBlock, type XzBlockInfo } from '../xz/index.js';
import { EntryWalker } from './entry-walker.js';
import type { RangeFailure, RangeTask, TaskOutcome, VerifyTask } from './verify-task.js';

const piece = 4 * 1024 * 1024;

export async function runTask(
  task: VerifyTask,
  onBytes: (n: number) => void,
): Promise<TaskOutcome> {
  if (task.kind === 'file') {
    try {
      return {
        id: task.id,
        matched: 0,
        blocks: 0,
        failures: [],
        sha256: await fileSha256(task.file, onBytes),
      };
    } catch (err) {
      return { id: task.id, matched: 0, blocks: 0, failures: [ioFailure(err)] };
    }
  }
  const walker = new EntryWalker(task.entries, task.start);
  const failures: RangeFailure[] = [];
  let fh: BundleFile;
  try {
    fh = await openBundleFile(task.file);
  } catch (err) {
    return {
      id: task.id,
      matched: 0,
      blocks: 0,
      failures: [ioFailure(ioError(err, task.file, 'open'))],
    };
  }
  let blocks = 0;
  try {
    if (task.blocks === undefined) await readTar(fh, task, walker, onBytes, failures);
    else blocks = await readBlocks(fh, task, task.blocks, walker, onBytes, failures);
  } finally {
    await fh.close();
  }
  walker.finish();
  return {
    id: task.id,
    matched: walker.matched,
    blocks,
    failures: [...failures, ...walker.failures],
    documents: walker.documents,
  };
}

async function readBlocks(
  fh: BundleFile,
  task: RangeTask,
  blocks: readonly XzBlockInfo[],
  walker: EntryWalker,
  onBytes: (n: number) => void,
  failures: RangeFailure[],
): Promise<number> {
  let good = 0;
  for (const block of blocks) {
    const end = block.uncompressedOffset + block.uncompressedSize;
    try {
      for await (const bytes of decodeBlock(fh, task.file, block, 0, block.uncompressedSize)) {
        walker.feed(bytes);
        onBytes(bytes.length);
      }
      good++;
    } catch (err) {
      if (!isBmpackError(err, 'E_XZ_INVALID', 'E_IO')) throw err;
      if (err.code === 'E_IO') {
        failures.push(ioFailure(err));
        walker.damaged(task.end);
        return good;
      }
      const message = err.cause instanceof Error ? err.cause.message : err.message;
      failures.push({
        kind: 'xz',
        blockOffset: block.compressedOffset,
        start: block.uncompressedOffset,
        end,
        message,
      });
      walker.damaged(end);
    }
  }
  return good;
}

async function readTar(
  fh: BundleFile,
  task: RangeTask,
  walker: EntryWalker,
  onBytes: (n: number) => void,
  failures: RangeFailure[],
): Promise<void> {
  // One buffer for the whole range: the walker consumes each piece before the next read.
  const buf = Buffer.allocUnsafe(piece);
  for (let at = task.start; at < task.end;) {
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(buf, 0, Math.min(piece, task.end - at), at));
    } catch (err) {
      failures.push(ioFailure(ioError(err, task.file, 'read')));
      return;
    }
    if (n === 0) return; // the file ends early: the walker reports the blobs cut off
    walker.feed(buf.subarray(0, n));
    onBytes(n);
    at += n;
  }
}

function ioFailure(err: unknown): RangeFailure {
  return { kind: 'io', message: err instanceof Error ? err.message : String(err) };
}
