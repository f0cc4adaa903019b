/**
 * The retry policy of the one LLM client (architect and chat bots alike), tested once:
 * 429 and 5xx are retried with exponential backoff and jitter, a server's Retry-After wins over
 * our own backoff, and everything else fails at once with a precise error. Timeouts are not
 * retried: a request that used the whole timeout would likely do so again, and retrying would
 * multiply the wait by the retry count. Connection failures (refused, reset) are retried.
 */
import { GenAutoMLError } from '../errors.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** No single wait is longer than this, Retry-After included: a server asking for more fails fast. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/** A failed attempt the policy may retry; carries what the server said about waiting. */
export class RetryableFailure extends Error {
  constructor(
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null,
    readonly final: GenAutoMLError,
  ) {
    super(message);
    this.name = 'RetryableFailure';
  }
}

/**
 * Reads `retry-after-ms` (OpenAI's extension) or `retry-after` (seconds or an HTTP date).
 * Returns null when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(get: (name: string) => string | null | undefined, now: number = Date.now()): number | null {
  const ms = get('retry-after-ms');
  if (ms != null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const raw = get('retry-after');
  if (raw == null || raw.trim() === '') return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return null;
}

export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** attempt;
  // Full jitter on the upper half keeps several workers from retrying in lockstep.
  return Math.min(policy.maxDelayMs, exp / 2 + (random() * exp) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The caller aborted the request (its signal fired); callers that own a larger task rename it. */
export function cancelled(): GenAutoMLError {
  return new GenAutoMLError('llm.cancelled', 'The LLM request was cancelled.', {
    hint: 'Nothing was stored; run the request again when ready.',
  });
}

/**
 * Runs `attempt` until it succeeds, throws something that is not a RetryableFailure, or the
 * retries are spent (then the failure's prepared final error is thrown, with the attempt count).
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void } = {},
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableFailure)) throw err;
      if (n >= policy.maxRetries) {
        throw new GenAutoMLError(err.final.code, `${err.final.message} (after ${n + 1} attempt${n === 0 ? '' : 's'})`, {
          hint: err.final.hint,
          details: { ...err.final.details, attempts: n + 1 },
          cause: err,
        });
      }
      const waitMs = err.retryAfterMs ?? backoffMs(n, policy);
      if (waitMs > policy.maxDelayMs) {
        throw new GenAutoMLError(err.final.code, `${err.final.message}; the server asks to wait ${Math.ceil(waitMs / 1000)} s, longer than the ${Math.ceil(policy.maxDelayMs / 1000)} s allowed`, {
          hint: err.final.hint,
          details: { ...err.final.details, attempts: n + 1, retryAfterMs: waitMs },
          cause: err,
        });
      }
      options.onRetry?.({ attempt: n + 1, waitMs, reason: err.message });
      await sleep(waitMs, options.signal);
    }
  }
}
