/**
 * What a scan found: every entry by normalised path, with the rules that
 * make it safe to serve from: layout files and blobs must be regular files
 * (never links or devices), and a path may appear twice only with the same
 * content (tar semantics would let the later one win silently).
 */
import { bundleInvalid } from './archive-errors.js';
import { wellKnownFiles } from './json-document.js';
import type { ScannedEntry } from './tar-scanner.js';
import { digestOfBlobPath, looksLikeBlobPath, resolveLinkTarget } from '../bundle-format/index.js';

/** Symbolic links followed at most this deep (docker save links once). */
const maxLinkDepth = 8;

export class EntryTable {
  private readonly byPath = new Map<string, ScannedEntry>();
  /** Regular files in archive order. */
  readonly files: ScannedEntry[] = [];
  /** Same path, same size, content not compared yet (positional scans do not hash). */
  readonly unverifiedDuplicates: Array<readonly [ScannedEntry, ScannedEntry]> = [];

  constructor(private readonly file: string) {}

  get(path: string): ScannedEntry | undefined {
    return this.byPath.get(path);
  }

  add(e: ScannedEntry): void {
    if (e.path === '') return; // `./`, the root of `tar -C DIR .`
    if (e.kind !== 'file' && e.kind !== 'directory') {
      if (looksLikeBlobPath(e.path) || wellKnownFiles.has(e.path)) {
        throw bundleInvalid(this.file, `entry ${JSON.stringify(e.rawPath)} is a ${e.kind}`, {
          entry: e.rawPath,
          hint: `Blobs and layout files must be regular files: re-create the archive from the layout directory without links (for example \`tar -cf FILE -C DIR .\`).`,
        });
      }
    }
    const earlier = this.byPath.get(e.path);
    if (earlier === undefined) {
      this.byPath.set(e.path, e);
      if (e.kind === 'file') this.files.push(e);
      return;
    }
    this.duplicate(earlier, e);
  }

  private duplicate(earlier: ScannedEntry, e: ScannedEntry): void {
    const fail = (why: string): never => {
      throw bundleInvalid(
        this.file,
        `${JSON.stringify(e.path)} appears twice in the archive, ${why}`,
        {
          entry: e.rawPath,
          hint: `An archive must hold each path once (or the same content twice): which copy is meant is ambiguous. Re-create it.`,
        },
      );
    };
    if (earlier.kind !== e.kind) fail(`as a ${earlier.kind} and as a ${e.kind}`);
    if (e.kind === 'directory') return;
    if (e.kind !== 'file') {
      if (earlier.linkName !== e.linkName) fail('as links to different targets');
      return;
    }
    if (earlier.size !== e.size)
      fail(`with different content (${earlier.size} and ${e.size} bytes)`);
    if (earlier.sha256 !== undefined && e.sha256 !== undefined) {
      if (earlier.sha256 !== e.sha256) fail('with different content');
      return;
    }
    this.unverifiedDuplicates.push([earlier, e]);
  }

  /** The regular file at `path`, following links inside the archive. */
  resolveFile(path: string): ScannedEntry | undefined {
    let current = path;
    for (let depth = 0; depth <= maxLinkDepth; depth++) {
      const e = this.byPath.get(current);
      if (e === undefined) return undefined;
      if (e.kind === 'file') return e;
      if (e.kind === 'symlink') {
        const target = resolveLinkTarget(current, e.linkName);
        if (target === undefined) return undefined;
        current = target;
      } else if (e.kind === 'hardlink') {
        // Hard link names are archive paths, not relative to the link.
        current = resolveLinkTarget('', e.linkName) ?? '';
      } else return undefined;
    }
    return undefined;
  }

  /** Layout blobs (`blobs/<alg>/<hex>`) by digest, in archive order. */
  layoutBlobs(): Map<string, ScannedEntry> {
    const out = new Map<string, ScannedEntry>();
    for (const e of this.files) {
      const digest = digestOfBlobPath(e.path);
      if (digest !== undefined) out.set(digest, e);
    }
    return out;
  }
}
