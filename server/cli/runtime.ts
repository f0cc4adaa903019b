/**
 * What every command shares: the configuration (parsed once, here, from process.env), a logger on
 * stderr, the app, and the error → exit code translation (1 for errors, 2 for configuration).
 */
import type { App } from '../../engine/app.js';
import { type Config, loadConfig } from '../../engine/config.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import { createLogger, type Logger } from '../../engine/log.js';
import { createApp } from '../app.js';

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
 * is logged; any other unhandled rejection still ends the process, as Node does by default.
 */
export function installRejectionPolicy(logger: Logger): void {
  if (policyInstalled) return;
  policyInstalled = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof GenAutoMLError && reason.code === 'db.unreachable') {
      logger.warn('database unreachable during background queue bookkeeping; the job is redelivered after its lease', { err: reason });
      return;
    }
    throw reason;
  });
}

export function openApp(rt: Runtime, startQueue = true): Promise<App> {
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
  process.exit(code);
}
