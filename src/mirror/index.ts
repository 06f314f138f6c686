/**
 * Pointing containerd at the private registry: `mirror config` writes the
 * configuration (hosts.toml, config.toml, bmctl), `mirror check` proves a
 * bundle resolves through the mirror and judges a node's configuration.
 */
export {
  criAuthTable,
  mirrorConfig,
  mirrorConfigFormats,
  defaultInstallDir,
  defaultHostsOutput,
} from './mirror-config.js';
export type {
  MirrorConfigFormat,
  MirrorConfigOptions,
  MirrorConfigResult,
  MirrorConfigWarning,
  MirrorInstall,
} from './mirror-config.js';
export { mirrorRuntimeConfig, defaultTreeOutput } from './runtime-config.js';
export type {
  MirrorRuntimeOptions,
  MirrorRuntimeResult,
  MirrorTreeEntry,
} from './runtime-config.js';
export { mirrorRuntimes, runtimeCapabilities } from './runtime-tree.js';
export type { MirrorRuntime, RuntimeCapabilities } from './runtime-tree.js';
export { checkMirror, MirrorCheckError } from './check-mirror.js';
export type {
  MirrorCheckOptions,
  MirrorCheckReport,
  MirrorImageCheck,
  MirrorImageStatus,
} from './check-mirror.js';
export { checkContainerdConfig } from './config-check.js';
export type { ConfigCheck, ConfigKind, HostConfigFinding } from './config-check.js';
export { checkNodeConfig } from './node-config-check.js';
export type { CheckedImage, NodeConfigCheck, NodePull } from './node-config-check.js';
export {
  alwaysMirrored,
  mirrorTarget,
  upstreamServer,
  hostDirCandidates,
  normalizeMirroredHost,
} from './mirror-target.js';
export type { MirrorTarget } from './mirror-target.js';
export { parseToml, tomlGet, tomlTableAt, isTomlTable } from './toml-parse.js';
export type { TomlTable, TomlValue } from './toml-parse.js';
