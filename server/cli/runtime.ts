/**
 * What every command shares: the configuration (parsed once, here, from process.env), a logger on
 * stderr, the app, and the error → exit code translation (1 for errors, 2 for configuration).
 */
import type { App } from '../../engine/app.js';
import { type Config, loadConfig } from '../../engine/config.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import { createLogger, type Logger } from '../../engine/log.js';

export const EXIT_ERROR = 1;
export const EXIT_CONFIG = 2;

export interface Runtime {
  config: Config;
  logger: Logger;
}

export interface RuntimeOptions {
  /**
   * One-shot tool commands talk to a person: unless GENAUTOML_LOG_LEVEL / GENAUTOML_LOG_FORMAT
   * are set, only warnings and errors are logged, as short lines, so they do not bury the output.
   */
  interactive?: boolean;
}

export function loadRuntime(options: RuntimeOptions = {}, env: Record<string, string | undefined> = process.env): Runtime {
  const config = loadConfig(env);
  const level = options.interactive && !env.GENAUTOML_LOG_LEVEL ? 'warn' : config.logLevel;
  const format = options.interactive && !env.GENAUTOML_LOG_FORMAT ? 'pretty' : config.logFormat;
  const logger = createLogger({ level, format });
  installRejectionPolicy(logger);
  return { config, logger };
}

let policyInstalled = false;

/**
 * pg-boss records a job's outcome without awaiting it, so when the database stays unreachable
 * longer than the queue's connect retries, that rejection reaches no handler. A worker has to ride
 * out a database outage (the job is redelivered after its lease), so an unhandled `db.unreachable`
 * is logged. Anything else thrown where no caller waits (a full disk under a background write, a
 * bug) ends the process as Node would, but said as `[code] message — hint` with exit code 1, not
 * as a stack trace (GENAUTOML_LOG_LEVEL=debug adds the stack).
 */
export function installRejectionPolicy(logger: Logger): void {
  if (policyInstalled) return;
  policyInstalled = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof GenAutoMLError && reason.code === 'db.unreachable') {
      logger.warn('database unreachable during background queue bookkeeping; the job is redelivered after its lease', { err: reason });
      return;
    }
    fatal(reason);
  });
  process.on('uncaughtException', fatal);
}

function fatal(err: unknown): void {
  const debug = process.env.GENAUTOML_LOG_LEVEL === 'debug';
  const code = reportError(err, debug);
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  process.exit(code);
}

/** Imported when a command opens the app, so commands that never do (help, mcp's initialize) start fast. */
export async function openApp(rt: Runtime, startQueue = true): Promise<App> {
  const { createApp } = await import('../app.js');
  return createApp(rt.config, rt.logger, { startQueue });
}

/** Prints `[code] message — hint` on stderr and returns the exit code for it. */
export function reportError(err: unknown, debug = process.env.GENAUTOML_LOG_LEVEL === 'debug'): number {
  const e = toGenAutoMLError(err);
  console.error(formatError(e));
  if (debug && e.cause instanceof Error && e.cause.stack) console.error(e.cause.stack);
  return e.code === 'config.invalid' ? EXIT_CONFIG : EXIT_ERROR;
}

/**
 * Runs a command body and exits with its code. Exiting explicitly matters: a pool, a PGlite
 * worker or stdin can keep the event loop alive after everything useful is done.
 */
export async function runCommand(body: () => Promise<number | void>): Promise<never> {
  let code: number;
  try {
    code = (await body()) ?? 0;
  } catch (err) {
    code = reportError(err);
  }
  // process.exit does not wait for a pipe's queued writes: a large `--json` piped into a slow
  // reader would be cut at the pipe's buffer (64 KiB). Wait until stdout and stderr have drained.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
export function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => {
    // Writes complete in order, so the callback of an empty write comes after all earlier ones.
    stream.write('', () => resolve());
    stream.once('error', () => resolve());
  });
}
