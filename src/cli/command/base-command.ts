/**
 * The base of every bmpack command: `--json` (oclif enableJsonFlag),
 * `--debug`, and one way to report failures — the error's message and hint
 * on stderr (or as JSON), its category's exit code, and a stack trace only
 * with --debug.
 */
import { Command, Errors, Flags, type Interfaces, ux } from '@oclif/core';
import { BmpackError, type ErrorDetail } from '../../errors.js';
import { redactText } from '../../redact.js';
import { cliHint } from '../error-hints.js';
import { failureReport } from './failure-report.js';
import { usageError, type CommandShape } from '../usage/index.js';
import { normalizeHostListFlags } from '../host-list-argv.js';
import { hostListFlags } from '../registry-flags.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;

/** oclif's FlagOutput and ArgOutput, which its interfaces do not export. */
type ParsedOutput = Record<string, unknown>;

export interface ErrorJson {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
    readonly reason?: string;
    readonly exitCode: number;
    readonly details?: Readonly<Record<string, ErrorDetail>>;
  };
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Show stack traces and causes of errors.',
      helpGroup: 'GLOBAL',
      env: 'BMPACK_DEBUG',
    }),
  };

  protected get debugEnabled(): boolean {
    return (
      this.argv.includes('--debug') ||
      process.env.BMPACK_DEBUG === '1' ||
      process.env.BMPACK_DEBUG === 'true'
    );
  }

  /** A warning on stderr, also under --json (stdout stays machine-readable). */
  protected warnAlways(message: string): void {
    // --quiet prints only errors and the result.
    if (this.argv.includes('--quiet') || this.argv.includes('-q')) return;
    ux.stderr(`Warning: ${redactText(message)}`);
  }

  /**
   * `--plain-http [HOST]` and `--insecure-skip-tls-verify [HOST]` where the
   * command has them as host lists (registry-flags.ts): oclif has no
   * optional values, so the argv is rewritten for it (host-list-argv.ts).
   */
  private hostListArgv(options: { flags?: Record<string, unknown> } | undefined): string[] {
    const lists = hostListFlags.filter((name) => {
      const flag = options?.flags?.[name] as { type?: string } | undefined;
      return flag?.type === 'option';
    });
    return lists.length === 0 ? this.argv : normalizeHostListFlags(this.argv, lists);
  }

  /**
   * Whatever the parser throws (unknown flag, missing argument, a refused
   * value, `exists: true` finding no file) is the user's input, not a bug:
   * one E_USAGE line with the usage, never oclif's internals.
   */
  protected override async parse<
    F extends ParsedOutput,
    B extends ParsedOutput,
    A extends ParsedOutput,
  >(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv ?? this.hostListArgv(options));
    } catch (err) {
      if (err instanceof BmpackError || !(err instanceof Error)) throw err;
      throw usageError(err, this.shape());
    }
  }

  /** This command as the usage hint describes it. */
  private shape(): CommandShape {
    return {
      bin: this.config.bin,
      id: this.id ?? '',
      args: { ...this.ctor.args },
      flags: { ...this.ctor.baseFlags, ...this.ctor.flags },
    };
  }

  override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (!(err instanceof BmpackError) && isOclifUsageError(err)) return super.catch(err);
    const e = err instanceof BmpackError ? err : internalError(err);
    const hint = cliHint(e, this.flagNames());
    const report = failureReport(e);
    if (this.jsonEnabled()) {
      this.logJson({ ...report?.json, ...toErrorJson(e, hint) });
    } else {
      for (const line of report?.lines ?? []) this.log(line);
      process.stderr.write(`${redactText(renderError(e, hint, this.debugEnabled))}\n`);
    }
    throw new Errors.ExitError(e.exitCode);
  }

  /** The flags this command takes: the CLI's hints name only those. */
  private flagNames(): ReadonlySet<string> {
    // Spread, not Object.keys: a command with only arguments has no `flags` at run time.
    return new Set(Object.keys({ ...this.ctor.baseFlags, ...this.ctor.flags }));
  }
}

function isOclifUsageError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'oclif' in err;
}

function internalError(err: unknown): BmpackError {
  const message = err instanceof Error ? err.message : String(err);
  return new BmpackError('E_INTERNAL', `unexpected error: ${message}`, {
    hint: 'This is a bug in bmpack. Re-run with --debug and report the output.',
    cause: err,
  });
}

/** `hint`: the command's hint for `e` (see error-hints.ts). */
export function toErrorJson(e: BmpackError, hint: string | undefined): ErrorJson {
  return {
    error: {
      code: e.code,
      message: redactText(e.message),
      ...(hint !== undefined ? { hint } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      exitCode: e.exitCode,
      ...(Object.keys(e.details).length > 0 ? { details: e.details } : {}),
    },
  };
}

/** Human form: message, hint, and with --debug the stack and cause chain. */
export function renderError(e: BmpackError, hint: string | undefined, debug: boolean): string {
  const lines = [`Error [${e.code}]: ${e.message}`];
  if (hint !== undefined) lines.push(`Hint: ${hint}`);
  if (debug) {
    let cause: unknown = e;
    while (cause instanceof Error) {
      lines.push('', cause.stack ?? `${cause.name}: ${cause.message}`);
      cause = cause.cause;
    }
  }
  return lines.join('\n');
}
