/**
 * The one error type of genautoml. Every failure a user can see carries a namespaced code
 * (`area.reason`), a message saying what went wrong, and a hint saying what to do about it.
 * Each edge (MCP, CLI, bots, HTTP) translates it once; nothing below an edge formats errors.
 *
 * The codes are a closed list, engine/errors/codes.ts (one line each, with its meaning and a
 * default hint, used when the thrower gives none); docs/errors.md is generated from it.
 */
import { z } from 'zod';
import { ERROR_CODES, isErrorCode, type ErrorCode } from './errors/codes.js';

import { osErrorKind } from './ops/errno.js';

export { ERROR_CODES, isErrorCode, type ErrorCode } from './errors/codes.js';

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured facts for machines (line numbers, limits, offending values). Must be JSON. */
  details?: Record<string, unknown>;
}

export class GenAutoMLError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GenAutoMLError';
    this.code = code;
    // A code smuggled past the type checker (a cast) still gets a hint rather than a TypeError.
    this.hint = options.hint ?? (isErrorCode(code) ? ERROR_CODES[code] : ERROR_CODES['internal.unexpected']).hint;
    this.details = options.details;
  }

  toJSON(): ErrorRecord {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** An error as recorded (on a trial, a round, a study) and as sent to clients. */
export interface ErrorRecord {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** ErrorRecord read back from a file or another process (the spool): only listed codes. */
export const errorRecordSchema = z.object({
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<ErrorRecord>;

export function isGenAutoMLError(err: unknown): err is GenAutoMLError {
  return err instanceof GenAutoMLError;
}

/** Wraps anything thrown into a GenAutoMLError, keeping the original as the cause. */
export function toGenAutoMLError(err: unknown, fallbackCode: ErrorCode = 'internal.unexpected'): GenAutoMLError {
  if (isGenAutoMLError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  // A full disk, a quota, a permission, the open-file limit: its own code and an operator's hint.
  const os = osErrorKind(err);
  if (os) {
    const said = message !== '' && message !== 'undefined' ? `: ${message}` : '';
    return new GenAutoMLError(os.code, `${os.what[0]!.toUpperCase()}${os.what.slice(1)} (${os.errno})${said}.`, { cause: err, hint: os.hint, details: { errno: os.errno } });
  }
  // The fallback code's own hint: a bug for internal.unexpected, the area's fix for the others.
  return new GenAutoMLError(fallbackCode, message, { cause: err });
}

/** One line for humans: `[code] message — hint`. */
export function formatError(err: GenAutoMLError): string {
  return `[${err.code}] ${err.message} — ${err.hint}`;
}
