/**
 * Which operating-system failure an error is, if any: a full disk, a quota, a permission, a
 * read-only file system, the open-file limit. Pure (imports only the code type), so that engine/errors.ts can
 * give every such error its own code wherever it is caught, and os-errors.ts can add the action.
 */
import type { ErrorCode } from '../errors/codes.js';

export interface OsErrorKind {
  /** The errno name (ENOSPC, …). */
  errno: string;
  /** The GenAutoMLError code. */
  code: ErrorCode;
  /** What happened, in words. */
  what: string;
  hint: string;
}

const WRITABLE_HINT = 'Make the directory writable by the user running genautoml, or point GENAUTOML_HOME elsewhere.';

const KINDS: Record<string, Omit<OsErrorKind, 'errno'>> = {
  ENOSPC: { code: 'storage.disk_full', what: 'the disk is full', hint: 'Free space on the disk holding it (or move GENAUTOML_HOME to a larger one) and try again; nothing already stored was lost.' },
  EDQUOT: { code: 'storage.quota_exceeded', what: 'the disk quota is used up', hint: 'Free space within your quota or ask for a larger one, then try again; nothing already stored was lost.' },
  EACCES: { code: 'storage.permission_denied', what: 'permission denied', hint: WRITABLE_HINT },
  EPERM: { code: 'storage.permission_denied', what: 'operation not permitted', hint: WRITABLE_HINT },
  EROFS: { code: 'storage.read_only', what: 'the file system is read-only', hint: 'Point GENAUTOML_HOME at a writable file system.' },
  EMFILE: { code: 'system.too_many_open_files', what: 'this process has too many open files', hint: 'Raise the open-file limit (ulimit -n, LimitNOFILE=) or lower GENAUTOML_WORKER_CONCURRENCY and GENAUTOML_RUNNER_SLOTS.' },
  ENFILE: { code: 'system.too_many_open_files', what: 'the system has too many open files', hint: 'Raise the system file limit (fs.file-max) or run fewer processes on this host.' },
};

// Emscripten/WASI errno numbers (musl's) of the kinds above, as PGlite's file system reports them.
const EMSCRIPTEN_ERRNO: Record<number, string> = { 51: 'ENOSPC', 2: 'EACCES', 63: 'EPERM', 69: 'EROFS', 33: 'EMFILE', 41: 'ENFILE', 19: 'EDQUOT' };

const MESSAGE = /\b(ENOSPC|EDQUOT|EACCES|EPERM|EROFS|EMFILE|ENFILE)\b|No space left on device|Disk quota exceeded|Too many open files|Read-only file system/i;

/** The errno-style code of an error or of anything in its cause chain (PGlite and pg wrap them). */
export function osErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in KINDS) return code;
    // PostgreSQL's own disk_full (the server's disk, reported through the connection).
    if (code === '53100') return 'ENOSPC';
    const errno = (e as { errno?: unknown }).errno;
    // Emscripten's file system (PGlite) throws ErrnoError with a numeric errno and no message.
    if (typeof errno === 'number' && EMSCRIPTEN_ERRNO[errno] && !(typeof code === 'string' && code.length > 0)) return EMSCRIPTEN_ERRNO[errno];
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string') {
      const m = MESSAGE.exec(message);
      if (m) return m[1]?.toUpperCase() ?? (/space/i.test(m[0]) ? 'ENOSPC' : /quota/i.test(m[0]) ? 'EDQUOT' : /read-only/i.test(m[0]) ? 'EROFS' : 'EMFILE');
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The kind of OS failure `err` is, or undefined when it is none. */
export function osErrorKind(err: unknown): OsErrorKind | undefined {
  const errno = osErrorCode(err);
  return errno ? { errno, ...KINDS[errno]! } : undefined;
}
