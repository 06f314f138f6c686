/**
 * .xz files made by xz-utils for the reader tests: LZMA-compressed Blocks
 * (with stored chunks where the data is random), several Blocks per Stream,
 * each check type, and concatenated Streams with Stream Padding.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../rig/processes.js';
import { data, text, writeXzFile, xzTool } from './xz-kit.js';

export interface ForeignFiles {
  /** The uncompressed content shared by the single-Stream files. */
  content: Buffer;
  /** `xz -T2 --block-size=100KiB`: many Blocks, CRC64. */
  multiBlock: string;
  /** Plain `xz`: one Block, CRC64. */
  singleBlock: string;
  /** `xz -C sha256`. */
  sha256: string;
  /** `xz -C none --block-size=64KiB`. */
  noCheck: string;
  /** Ours, then the multi-Block file, with Stream Padding after each; content `concatenated`. */
  concatenatedFile: string;
  concatenated: Buffer;
}

/** Random and text parts in turn: xz-utils writes both stored and LZMA chunks for it. */
export function mixedContent(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 12; i++)
    parts.push(i % 3 === 0 ? data(500 + i, 70_000) : text(600 + i, 90_000));
  return Buffer.concat(parts);
}

export async function makeForeignFiles(dir: string): Promise<ForeignFiles> {
  const content = mixedContent();
  const source = join(dir, 'content.bin');
  await writeFile(source, content);
  const xz = async (name: string, args: string[]): Promise<string> => {
    const out = join(dir, name);
    await writeFile(out, await runTool(xzTool(), [...args, '-c', source]));
    return out;
  };
  const multiBlock = await xz('multi.xz', ['-T2', '--block-size=100KiB']);
  const singleBlock = await xz('single.xz', []);
  const sha256 = await xz('sha256.xz', ['-C', 'sha256']);
  const noCheck = await xz('none.xz', ['-C', 'none', '--block-size=64KiB']);
  const ours = join(dir, 'ours-for-concat.xz');
  const ourContent = data(77, 300_000);
  await writeXzFile(ours, [ourContent.subarray(0, 100_000), ourContent.subarray(100_000)]);
  const padding = Buffer.alloc(8);
  const concatenatedFile = join(dir, 'concatenated.xz');
  await writeFile(
    concatenatedFile,
    Buffer.concat([await readFile(ours), padding, await readFile(multiBlock), Buffer.alloc(4)]),
  );
  return {
    content,
    multiBlock,
    singleBlock,
    sha256,
    noCheck,
    concatenatedFile,
    concatenated: Buffer.concat([ourContent, content]),
  };
}
