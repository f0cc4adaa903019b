/**
 * Structured logs to stderr: stdout belongs to the MCP stdio transport and to --json CLI output.
 * One JSON object per line, filtered by level.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level: LogLevel;
  /** `json` for machines and containers, `pretty` for a terminal. */
  format?: 'json' | 'pretty';
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, bound: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const threshold = ORDER[options.level];
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < threshold) return;
    const record = { time: new Date().toISOString(), level, msg, ...bound, ...fields };
    if (options.format === 'pretty') {
      const extra = { ...bound, ...fields };
      const tail = Object.keys(extra).length > 0 ? ' ' + JSON.stringify(extra, errorReplacer) : '';
      write(`${record.time.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${msg}${tail}`);
    } else {
      write(JSON.stringify(record, errorReplacer));
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, ...(value as object) };
  }
  return value;
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
