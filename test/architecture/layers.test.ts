/**
 * The layers of src/ hold because this test reads the import graph
 * (docs/architecture.md draws them): no cycles between files or folders,
 * pure modules reach no I/O (not even through another module), nothing
 * outside src/cli imports the CLI layer, and a folder with an index.ts is
 * entered only through it.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { readImportGraph } from './import-graph.js';
import { cliImports, deepImports, fileCycles, folderCycles, impureModules } from './layer-rules.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));

/** Modules that do no I/O: plain data in, plain data out. */
const pure = [
  'reference/',
  'oci/',
  'bundle-format/',
  'errors.ts',
  'events.ts',
  'redact.ts',
  'seconds-since.ts',
  'version.ts',
  'content/blob-chunks.ts',
  'graph/image-graph.ts',
  'graph/assemble-graph.ts',
  'graph/platform-filter.ts',
  'graph/config-platform.ts',
  'copy/copy-plan.ts',
  'referrers/referrer-tags.ts',
  'referrers/fallback-index.ts',
  'copy/copy-request.ts',
  'copy/plan-summary.ts',
  'copy/incomplete-error.ts',
  'store/image-location.ts',
  'store/listed-name.ts',
  'push/target-mapping.ts',
  'push/private-registry.ts',
  'bundle-writer/bundle-plan.ts',
  'bundle-writer/image-closure.ts',
  'xz/format-error.ts',
  'xz/check-type.ts',
  'xz/stream-flags.ts',
  'xz/lzma2-filter.ts',
  'xz/lzma2-stored-chunks.ts',
  'xz/block-check.ts',
  'xz/xz-layout.ts',
  'image/copy-requests.ts',
  'graph/walk-image.ts',
  'registry/http/challenge.ts',
  'registry/auth/scope.ts',
  'registry/http/retry-policy.ts',
  'xz/vli.ts',
  'xz/crc64.ts',
  'xz/stream-header.ts',
  'xz/stream-footer.ts',
  'xz/block-header.ts',
  'xz/index-encoding.ts',
  'xz/stored-block-layout.ts',
  'mirror/runtime-tree.ts',
  'mirror/runtime-render.ts',
  'mirror/runtime-containerd.ts',
  'mirror/runtime-registries-conf.ts',
  'mirror/runtime-registries-yaml.ts',
  'mirror/runtime-docker.ts',
  'mirror/tree-tar.ts',
  'mirror/toml-parse.ts',
  'mirror/toml-write.ts',
  'mirror/config-analysis.ts',
  'mirror/image-plan.ts',
  'mirror/analysis-registries-conf.ts',
  'mirror/analysis-registries-yaml.ts',
  'mirror/analysis-daemon-json.ts',
];

describe('architecture: the import graph of src/', () => {
  const g = readImportGraph(src);

  it('reads every module (the analysis itself sees the tree)', () => {
    expect(g.files.size).to.be.greaterThan(150);
    const engine = g.files.get('copy/copy-images.ts') ?? [];
    expect(engine.some((e) => e.to === 'graph/index.ts' && !e.typeOnly)).to.equal(true);
  });

  it('has no cycle between files', () => {
    expect(fileCycles(g)).to.deep.equal([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(g)).to.deep.equal([]);
  });

  it('keeps pure modules pure: none reaches file, network or process I/O, directly or through imports', () => {
    expect(impureModules(g, pure)).to.deep.equal([]);
  });

  it('keeps the CLI layer on top: nothing outside src/cli imports it', () => {
    expect(cliImports(g, 'cli')).to.deep.equal([]);
  });

  it('enters a folder that has an index.ts only through it', () => {
    expect(deepImports(g)).to.deep.equal([]);
  });
});
