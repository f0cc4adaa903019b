import { describe, expect, it } from 'vitest';
import { httpFailure } from '../../../engine/llm/http-errors.js';
import { RetryableFailure, backoffMs, parseRetryAfter, withRetries } from '../../../engine/llm/retry.js';
import { GenAutoMLError } from '../../../engine/errors.js';

const headers = (h: Record<string, string>) => (n: string) => h[n] ?? null;
const info = { label: 'X', model: 'm', keySent: true, keyVariable: 'K', modelVariable: 'M' };

describe('retry policy', () => {
  it('reads Retry-After in seconds, as a date, and retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(parseRetryAfter(headers({ 'retry-after': new Date(10_000).toUTCString() }), 7_000)).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(parseRetryAfter(headers({}))).toBeNull();
  });

  it('backs off exponentially within bounds', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(0, policy, () => 0)).toBe(50);
    expect(backoffMs(0, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 1)).toBe(800);
    expect(backoffMs(6, policy, () => 1)).toBe(1000);
  });

  it('retries retryable failures only, up to the limit', async () => {
    let calls = 0;
    const final = new GenAutoMLError('llm.unavailable', 'down');
    const err = await withRetries(
      async () => {
        calls++;
        throw new RetryableFailure(503, 'HTTP 503', 1, final);
      },
      { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 100 },
    ).catch((e: unknown) => e as GenAutoMLError);
    expect(calls).toBe(3);
    expect(err.code).toBe('llm.unavailable');
    expect(err.details).toMatchObject({ attempts: 3 });

    calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new GenAutoMLError('llm.bad_reply', 'bad');
      }, { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 10 }),
    ).rejects.toMatchObject({ code: 'llm.bad_reply' });
    expect(calls).toBe(1);
  });

  it('maps HTTP statuses to errors', () => {
    expect(httpFailure(429, {}, headers({ 'retry-after': '1' }), info)).toBeInstanceOf(RetryableFailure);
    expect(httpFailure(502, 'bad gateway', headers({}), info)).toBeInstanceOf(RetryableFailure);
    expect(httpFailure(401, {}, headers({}), { ...info, keySent: false })).toMatchObject({ code: 'llm.missing_key' });
    expect(httpFailure(403, {}, headers({}), info)).toMatchObject({ code: 'llm.invalid_key' });
    expect(httpFailure(400, { error: { message: 'The model `x` has been decommissioned' } }, headers({}), info)).toMatchObject({ code: 'llm.unknown_model' });
    expect(httpFailure(404, { error: { message: 'Not Found' } }, headers({}), info)).toMatchObject({ code: 'llm.bad_endpoint' });
    expect(httpFailure(400, { error: { message: 'context length exceeded' } }, headers({}), info)).toMatchObject({ code: 'llm.request_failed' });
  });
});
