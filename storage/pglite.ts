/**
 * Embedded PostgreSQL (PGlite) in `$GENAUTOML_HOME/db`. PGlite is one process's database: a
 * second process opening the same directory would corrupt it, so a lock file with the owner's
 * pid guards the directory and the error tells the user to switch to a server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { GenAutoMLError } from '../engine/errors.js';
import { fromOsError, rethrowOsError } from '../engine/ops/os-errors.js';
import type { Database, QueryResult } from './db.js';

const LOCK_FILE = 'genautoml.lock';

export interface PgliteOptions {
  /** Directory of the database files; `memory://` for a throwaway in-memory database. */
  dataDir: string;
  schema: string;
}

export async function openPglite(options: PgliteOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://');
  let releaseLock = (): void => {};
  if (!inMemory) {
    try {
      fs.mkdirSync(options.dataDir, { recursive: true });
      releaseLock = acquireLock(options.dataDir);
    } catch (err) {
      rethrowOsError(err, 'open the embedded database', options.dataDir);
    }
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create(inMemory ? undefined : options.dataDir);
    await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}, public;`);
  } catch (err) {
    releaseLock();
    // PGlite's file-system errors carry an errno and no message: a full disk must not read `undefined`.
    const os = fromOsError(err, 'open the embedded database', options.dataDir);
    if (os) throw os;
    throw new GenAutoMLError('db.open_failed', `Could not open the embedded database in ${options.dataDir}: ${describe(err)}`, {
      cause: err,
      hint: 'Check that the directory is writable and not damaged; set DATABASE_URL to use a PostgreSQL server instead.',
    });
  }

  return pgliteDatabase(pg, options.schema, async () => {
    await pg.close();
    releaseLock();
  });
}

/**
 * A Database view over an open PGlite instance with `schema` first on the search path. Tests
 * use it to give each test a fresh schema in one embedded instance (start-up costs seconds).
 */
export function pgliteDatabase(pg: PGlite, schema: string, onClose: () => Promise<void> = async () => {}): Database {
  const run = async <R>(target: Pick<PGlite, 'query' | 'exec'>, text: string, values?: unknown[]): Promise<QueryResult<R>> => {
    // PGlite's query() speaks the extended protocol (one statement); pg-boss sends multi-statement
    // scripts without parameters, which only exec() accepts.
    if (values === undefined || values.length === 0) {
      const results = await target.exec(text);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? null };
    }
    const r = await target.query<R>(text, values);
    return { rows: r.rows, rowCount: r.affectedRows ?? null };
  };

  let closed = false;
  return {
    kind: 'pglite',
    schema,
    executeSql: (text, values) => run(pg, text, values),
    transaction: (fn) => pg.transaction((tx) => fn({ executeSql: (text, values) => run(tx, text, values) })),
    close: async () => {
      if (closed) return;
      closed = true;
      await onClose();
    },
  };
}

function acquireLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      const release = (): void => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        // Created but not written (a full disk): leave no empty lock behind.
        fs.rmSync(file, { force: true });
        throw err;
      }
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new GenAutoMLError('db.locked', `The embedded database in ${dir} is in use by process ${owner}.`, {
          hint: 'PGlite serves one process. Stop the other process, or run PostgreSQL and set DATABASE_URL so that several processes can share it.',
          details: { pid: owner, dir },
        });
      }
      if (owner === process.pid) {
        throw new GenAutoMLError('db.locked', `The embedded database in ${dir} is already open in this process.`, {
          hint: 'Open it once and share the handle, or set DATABASE_URL.',
        });
      }
      // A stale lock from a process that died: take it over.
      fs.unlinkSync(file);
    }
  }
  throw new GenAutoMLError('db.locked', `Could not lock the embedded database in ${dir}.`, { hint: 'Set DATABASE_URL.' });
}

/** An error in words, also for the Emscripten ErrnoError PGlite throws without a message. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : undefined;
  if (message) return message;
  const errno = (err as { errno?: unknown } | null)?.errno;
  const name = err instanceof Error ? err.name : typeof err;
  return typeof errno === 'number' ? `${name} (errno ${errno})` : String(err);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
