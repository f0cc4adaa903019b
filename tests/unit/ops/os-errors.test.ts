/**
 * OS errors get their own codes wherever they are caught: Node's errno errors, PGlite's
 * message-less Emscripten ErrnoError, PostgreSQL's disk_full (53100), and any of them wrapped as
 * a cause; everything else stays internal.unexpected.
 */
import { describe, expect, it } from 'vitest';
import { toGenAutoMLError } from '../../../engine/errors.js';
import { osErrorCode } from '../../../engine/ops/errno.js';
import { fromOsError } from '../../../engine/ops/os-errors.js';

const nodeError = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${message}`), { code, errno: -1, syscall: 'write' });

describe('OS errors', () => {
  it.each([
    ['ENOSPC', 'no space left on device, write', 'storage.disk_full', /Free space/],
    ['EDQUOT', 'disk quota exceeded, write', 'storage.quota_exceeded', /quota/],
    ['EACCES', "permission denied, open '/x'", 'storage.permission_denied', /writable/],
    ['EROFS', 'read-only file system', 'storage.read_only', /writable file system/],
    ['EMFILE', 'too many open files', 'system.too_many_open_files', /ulimit -n/],
  ])('%s becomes %s with a hint, caught anywhere', (errno, message, code, hint) => {
    const e = toGenAutoMLError(nodeError(errno, message));
    expect(e.code).toBe(code);
    expect(e.message).toContain(errno);
    expect(e.hint).toMatch(hint);
    expect(e.details).toMatchObject({ errno });
    const at = fromOsError(nodeError(errno, message), 'store an artefact', '/home/cache');
    expect(at).toMatchObject({ code, details: { errno, path: '/home/cache' } });
    expect(at!.message).toBe(`Could not store an artefact (/home/cache): ${at!.message.split(': ')[1]}`);
  });

  it('reads PGlite’s Emscripten ErrnoError, which has an errno and no message', () => {
    const err = Object.assign(new Error(), { name: 'ErrnoError', errno: 51 });
    const e = toGenAutoMLError(err);
    expect(e.code).toBe('storage.disk_full');
    expect(e.message).not.toContain('undefined');
  });

  it('reads PostgreSQL’s disk_full and a cause chain', () => {
    expect(osErrorCode(Object.assign(new Error('could not extend file "base/5/1": No space left on device'), { code: '53100' }))).toBe('ENOSPC');
    const wrapped = new Error('query failed', { cause: new Error('outer', { cause: nodeError('EMFILE', 'too many open files') }) });
    expect(toGenAutoMLError(wrapped).code).toBe('system.too_many_open_files');
  });

  it('leaves other errors alone', () => {
    expect(toGenAutoMLError(new Error('boom')).code).toBe('internal.unexpected');
    expect(toGenAutoMLError(nodeError('ENOENT', 'no such file')).code).toBe('internal.unexpected');
    expect(fromOsError(new Error('boom'), 'write')).toBeUndefined();
    // Emscripten's ENOENT (44) is not a disk problem.
    expect(osErrorCode(Object.assign(new Error(), { errno: 44 }))).toBeUndefined();
  });
});
