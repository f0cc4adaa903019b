import { describe, expect, it } from 'vitest';
import { formatError, GenAutoMLError, isGenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';

describe('errors', () => {
  it('carries a code, a hint, details and a cause', () => {
    const cause = new Error('inner');
    const e = new GenAutoMLError('data.empty_file', 'The file is empty.', { hint: 'Upload a file with rows.', details: { bytes: 0 }, cause });
    expect(e.code).toBe('data.empty_file');
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'data.empty_file', message: 'The file is empty.', hint: 'Upload a file with rows.', details: { bytes: 0 } });
    expect(formatError(e)).toBe('[data.empty_file] The file is empty. — Upload a file with rows.');
  });

  it('wraps foreign errors once, keeping the original', () => {
    const raw = new TypeError('x is undefined');
    const wrapped = toGenAutoMLError(raw);
    expect(wrapped.code).toBe('internal.unexpected');
    expect(wrapped.cause).toBe(raw);
    expect(toGenAutoMLError(wrapped)).toBe(wrapped);
    expect(isGenAutoMLError(wrapped)).toBe(true);
    expect(toGenAutoMLError('plain string', 'runner.crashed').code).toBe('runner.crashed');
  });
});
