/**
 * The retry loop around single requests: connection errors, 408, 429 and
 * 5xx are tried again with backoff and jitter, honouring Retry-After. The
 * final error says what failed and how often it was tried.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BmpackError } from '../../errors.js';
import { header } from './headers.js';
import { isTransientNetworkError } from './network-errors.js';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy.js';
import type { HttpResponse } from './transport.js';

export interface RetryEvent {
  readonly what: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface RetryContext {
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * Run `attempt` until it gives a response that is not worth retrying, or
 * the policy's attempts are spent. Only call this for requests that can be
 * replayed (no consumed stream body).
 */
export async function sendWithRetries(
  attempt: () => Promise<HttpResponse>,
  what: string,
  ctx: RetryContext = {},
): Promise<HttpResponse> {
  const policy = ctx.policy ?? defaultRetryPolicy;
  for (let n = 1; ; n++) {
    let res: HttpResponse;
    try {
      res = await attempt();
    } catch (err) {
      if (!isTransientNetworkError(err) || n >= policy.attempts || ctx.signal?.aborted === true) {
        throw n > 1 ? triedError(err, n) : err;
      }
      await wait(ctx, {
        what,
        attempt: n,
        delayMs: backoffDelay(n, policy, ctx.random ?? Math.random),
        reason: errorText(err),
      });
      continue;
    }
    if (!isRetryableStatus(res.statusCode)) return res;
    const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), (ctx.now ?? Date.now)());
    await res.body.dump();
    if (n >= policy.attempts) throw statusError(res.statusCode, what, n);
    if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs)
      throw tooLongError(what, retryAfter);
    const delayMs = retryAfter ?? backoffDelay(n, policy, ctx.random ?? Math.random);
    await wait(ctx, { what, attempt: n, delayMs, reason: `HTTP ${res.statusCode}` });
  }
}

async function wait(ctx: RetryContext, event: RetryEvent): Promise<void> {
  ctx.onRetry?.(event);
  await delay(event.delayMs, undefined, ctx.signal ? { signal: ctx.signal } : {});
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * True when `err` already says how often its request was tried (the retry
 * loop gave up on it): a loop around whole operations must not try again.
 */
export function retriesSpent(err: unknown): boolean {
  return err instanceof BmpackError && typeof err.details.attempts === 'number';
}

/** `err` with "(tried n times)" added, for loops that retry whole operations. */
export function triedError(err: unknown, n: number): BmpackError {
  if (err instanceof BmpackError) {
    return new BmpackError(err.code, `${err.message} (tried ${n} times)`, {
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
      ...(err.reason !== undefined ? { reason: err.reason } : {}),
      cause: err,
      details: { ...err.details, attempts: n },
    });
  }
  return new BmpackError('E_NETWORK', `${errorText(err)} (tried ${n} times)`, { cause: err });
}

function statusError(status: number, what: string, n: number): BmpackError {
  if (status === 429) {
    return new BmpackError('E_RATE_LIMITED', `${what}: rate limited (HTTP 429, tried ${n} times)`, {
      hint: 'The registry limits requests. Wait and re-run with fewer parallel requests, or log in to get a higher limit.',
      reason: 'rate-limited',
      details: { status, attempts: n },
    });
  }
  return new BmpackError(
    'E_REGISTRY',
    `${what}: the registry answered HTTP ${status} (tried ${n} times)`,
    {
      hint: 'The registry is failing. Check its health and logs, then re-run: finished work is kept.',
      details: { status, attempts: n },
    },
  );
}

function tooLongError(what: string, ms: number): BmpackError {
  return new BmpackError(
    'E_RATE_LIMITED',
    `${what}: the registry asks to wait ${Math.ceil(ms / 1000)} s before retrying`,
    {
      hint: 'Re-run after that time, or with fewer parallel requests.',
      reason: 'retry-after-too-long',
      details: { retryAfterSeconds: Math.ceil(ms / 1000) },
    },
  );
}
