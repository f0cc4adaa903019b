import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorRecordSchema, formatError, GenAutoMLError, isErrorCode, isGenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';

describe('errors', () => {
  it('carries a code, a hint, details and a cause', () => {
    const cause = new Error('inner');
    const e = new GenAutoMLError('data.empty_file', 'The file is empty.', { hint: 'Upload a file with rows.', details: { bytes: 0 }, cause });
    expect(e.code).toBe('data.empty_file');
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'data.empty_file', message: 'The file is empty.', hint: 'Upload a file with rows.', details: { bytes: 0 } });
    expect(formatError(e)).toBe('[data.empty_file] The file is empty. — Upload a file with rows.');
  });

  it('falls back to the code’s documented hint when the thrower gives none', () => {
    const e = new GenAutoMLError('runner.closed', 'the runner client is closed');
    expect(e.hint).toBe(ERROR_CODES['runner.closed'].hint);
    expect(e.toJSON().hint).toBe(ERROR_CODES['runner.closed'].hint);
    expect(formatError(e)).toBe(`[runner.closed] the runner client is closed — ${ERROR_CODES['runner.closed'].hint}`);
  });

  it('wraps foreign errors once, keeping the original', () => {
    const raw = new TypeError('x is undefined');
    const wrapped = toGenAutoMLError(raw);
    expect(wrapped.code).toBe('internal.unexpected');
    expect(wrapped.hint).toContain('This is a bug');
    expect(wrapped.cause).toBe(raw);
    expect(toGenAutoMLError(wrapped)).toBe(wrapped);
    expect(isGenAutoMLError(wrapped)).toBe(true);
    const crashed = toGenAutoMLError('plain string', 'runner.crashed');
    expect(crashed.code).toBe('runner.crashed');
    expect(crashed.hint).toBe(ERROR_CODES['runner.crashed'].hint);
  });

  it('accepts only listed codes, at compile time and when reading records back', () => {
    // @ts-expect-error: a code that is not in engine/errors/codes.ts does not type-check.
    expect(new GenAutoMLError('data.no_such_code', 'x').code).toBe('data.no_such_code');
    expect(isErrorCode('trial.lost')).toBe(true);
    expect(isErrorCode('trial.nope')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(errorRecordSchema.safeParse({ code: 'trial.lost', message: 'gone' }).success).toBe(true);
    expect(errorRecordSchema.safeParse({ code: 'trial.nope', message: 'gone' }).success).toBe(false);
  });
});
