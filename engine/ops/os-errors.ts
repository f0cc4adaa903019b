/**
 * Operating-system errors said plainly. A full disk, a quota, a permission or the open-file limit
 * each gets its own code and a hint an operator can act on, at every layer that touches the disk
 * (database open, artefact cache, exports, spool, runner scratch), instead of `undefined` or an
 * `internal.unexpected … This is a bug`.
 */
import fs from 'node:fs';
import { GenAutoMLError } from '../errors.js';
import { osErrorCode, osErrorKind } from './errno.js';

export { osErrorCode };

/** A GenAutoMLError for an OS error while doing `action` (on `target`), or undefined when `err` is none. */
export function fromOsError(err: unknown, action: string, target?: string): GenAutoMLError | undefined {
  const kind = osErrorKind(err);
  if (!kind) return undefined;
  return new GenAutoMLError(kind.code, `Could not ${action}${target ? ` (${target})` : ''}: ${kind.what} (${kind.errno}).`, {
    cause: err,
    hint: kind.hint,
    details: { errno: kind.errno, ...(target ? { path: target } : {}) },
  });
}

/** Rethrows an OS error as its coded GenAutoMLError; anything else unchanged. */
export function rethrowOsError(err: unknown, action: string, target?: string): never {
  throw fromOsError(err, action, target) ?? err;
}

/** Runs `fn`, turning an OS error into its coded GenAutoMLError. */
export async function withOsErrors<T>(action: string, target: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    rethrowOsError(err, action, target);
  }
}

/** Write-then-rename (a reader never sees half a file); a failed write leaves no temporary file. */
export function writeFileDurably(file: string, bytes: string | Uint8Array, action: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    rethrowOsError(err, action, file);
  }
}
