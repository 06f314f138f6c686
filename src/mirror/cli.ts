/**
 * The `mirror config` and `mirror check` commands behind their oclif
 * classes: flags in, one library call, lines out.
 */
import { hostOptionsFromFlags } from '../cli/client-options.js';
import { terminalPushCredentials, type PushCredentialOptions } from '../cli/push-credentials.js';
import { checkMirror, MirrorCheckError, type MirrorCheckReport } from './check-mirror.js';
import { mirrorTarget } from './mirror-target.js';
import { mirrorConfig, type MirrorConfigFormat, type MirrorConfigResult } from './mirror-config.js';

export interface MirrorConfigFlags {
  readonly 'private-registry': string;
  readonly hosts?: readonly string[] | undefined;
  readonly source?: string | undefined;
  readonly cacert?: string | undefined;
  readonly 'pull-credential-config'?: string | undefined;
  readonly 'plain-http'?: boolean | undefined;
  readonly 'insecure-skip-tls-verify'?: boolean | undefined;
  readonly format: MirrorConfigFormat;
  readonly output?: string | undefined;
  readonly 'install-dir'?: string | undefined;
  readonly 'cluster-name'?: string | undefined;
  readonly 'secret-namespace'?: string | undefined;
}

export function runMirrorConfig(flags: MirrorConfigFlags): Promise<MirrorConfigResult> {
  const f = flags;
  return mirrorConfig({
    privateRegistry: f['private-registry'],
    format: f.format,
    ...(f.hosts !== undefined ? { hosts: f.hosts } : {}),
    ...(f.source !== undefined ? { source: f.source } : {}),
    ...(f.cacert !== undefined ? { caCert: f.cacert } : {}),
    ...(f['pull-credential-config'] !== undefined
      ? { pullCredentialConfig: f['pull-credential-config'] }
      : {}),
    ...(f['plain-http'] === true ? { plainHttp: true } : {}),
    ...(f['insecure-skip-tls-verify'] === true ? { skipVerify: true } : {}),
    ...(f.output !== undefined ? { output: f.output } : {}),
    ...(f['install-dir'] !== undefined ? { installDir: f['install-dir'] } : {}),
    ...(f['cluster-name'] !== undefined ? { clusterName: f['cluster-name'] } : {}),
    ...(f['secret-namespace'] !== undefined ? { secretNamespace: f['secret-namespace'] } : {}),
  });
}

/** stdout: the document when it was not written to a file, else the guide. */
export function renderMirrorConfig(r: MirrorConfigResult): { stdout: string; stderr: string[] } {
  if (r.content !== undefined) return { stdout: r.content, stderr: r.guide.map((g) => `# ${g}`) };
  return { stdout: `${r.guide.join('\n')}\n`, stderr: [] };
}

export interface MirrorCheckFlags extends PushCredentialOptions {
  readonly source: string;
  readonly 'private-registry': string;
  readonly config?: string | undefined;
  readonly 'config-only'?: boolean | undefined;
  readonly concurrency?: number | undefined;
}

/**
 * Runs the check; returns the report when all is well, and throws a
 * {@link MirrorCheckError} (E_NOT_FOUND or E_CONFIG_INVALID, carrying the
 * report) when not.
 */
export async function runMirrorCheck(
  flags: MirrorCheckFlags,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<MirrorCheckReport> {
  const { registry } = mirrorTarget(flags['private-registry']);
  const configOnly = flags['config-only'] === true;
  const creds = configOnly
    ? { credentials: undefined, warnings: [] }
    : await terminalPushCredentials(registry, flags);
  for (const w of creds.warnings) warn(w);
  const report = await checkMirror({
    source: flags.source,
    privateRegistry: flags['private-registry'],
    host: hostOptionsFromFlags(flags),
    ...(creds.credentials ? { credentials: creds.credentials } : {}),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(configOnly ? { configOnly } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(signal ? { signal } : {}),
  });
  for (const w of report.warnings) warn(w);
  if (!report.ok) throw new MirrorCheckError(report, flags['private-registry'], flags.source);
  return report;
}

/** The report for people. */
export function renderMirrorCheck(r: MirrorCheckReport): string[] {
  const lines: string[] = [];
  if (r.images.length > 0) {
    lines.push(`mirror ${r.mirror}`);
    for (const i of r.images) {
      const extra =
        i.status === 'digest-differs' ? ` (mirror ${i.actual ?? ''}, bundle ${i.expected})` : '';
      lines.push(`  ${i.status.padEnd(14)} ${i.ref} -> ${i.target}${extra}`);
    }
    const served = r.images.filter((i) => i.status === 'present').length;
    lines.push(`  ${served} of ${r.images.length} images served`);
  }
  if (r.config !== undefined) {
    const c = r.config;
    lines.push(`config ${c.path} (${c.kind})${c.ok ? ': ok' : ''}`);
    for (const p of c.problems) lines.push(`  problem: ${p}`);
    for (const n of c.notes) lines.push(`  note: ${n}`);
    for (const h of c.hosts) {
      lines.push(
        `  ${h.status.padEnd(13)} ${h.host}${h.endpoint !== undefined ? ` -> ${h.endpoint}` : ''}`,
      );
      for (const p of h.problems) lines.push(`      problem: ${p}`);
      for (const n of h.notes) lines.push(`      note: ${n}`);
    }
  }
  return lines;
}
