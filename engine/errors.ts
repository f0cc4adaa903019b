/**
 * The one error type of genautoml. Every failure a user can see carries a namespaced code
 * (`area.reason`), a message saying what went wrong, and a hint saying what to do about it.
 * Each edge (MCP, CLI, bots, HTTP) translates it once; nothing below an edge formats errors.
 */
export type ErrorCode = `${string}.${string}`;

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured facts for machines (line numbers, limits, offending values). Must be JSON. */
  details?: Record<string, unknown>;
}

export class GenAutoMLError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GenAutoMLError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isGenAutoMLError(err: unknown): err is GenAutoMLError {
  return err instanceof GenAutoMLError;
}

/** Wraps anything thrown into a GenAutoMLError, keeping the original as the cause. */
export function toGenAutoMLError(err: unknown, fallbackCode: ErrorCode = 'internal.unexpected'): GenAutoMLError {
  if (isGenAutoMLError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GenAutoMLError(fallbackCode, message, {
    cause: err,
    hint: 'This is a bug or an unexpected environment problem; the logs on stderr have the stack.',
  });
}

/** One line for humans: `[code] message — hint`. */
export function formatError(err: GenAutoMLError): string {
  return `[${err.code}] ${err.message}${err.hint ? ` — ${err.hint}` : ''}`;
}
