/** PostgreSQL server through a `pg` pool; every connection gets the project schema on its search_path. */
import pg from 'pg';
import { GenAutoMLError } from '../engine/errors.js';
import type { Database, QueryResult } from './db.js';

export interface PostgresOptions {
  url: string;
  schema: string;
  poolSize?: number;
  connectTimeoutMs?: number;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    options: `-c search_path=${options.schema},public`,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  } catch (err) {
    await pool.end().catch(() => {});
    throw unreachable(options.url, err);
  }

  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, values?: unknown[]): Promise<QueryResult<R>> => {
    try {
      const r = await client.query(text, values);
      // A multi-statement script returns one result per statement; callers want the last.
      const last = Array.isArray(r) ? (r[r.length - 1] as pg.QueryResult) : r;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? null };
    } catch (err) {
      if (isConnectionError(err)) throw unreachable(options.url, err);
      throw err;
    }
  };

  return {
    kind: 'postgres',
    schema: options.schema,
    executeSql: (text, values) => run(pool, text, values),
    transaction: async (fn) => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw unreachable(options.url, err);
      }
      try {
        await client.query('BEGIN');
        const out = await fn({ executeSql: (text, values) => run(client, text, values) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001'].includes(code)
    || /Connection terminated|timeout exceeded when trying to connect/i.test((err as Error).message ?? '');
}

function unreachable(url: string, err: unknown): GenAutoMLError {
  const safe = url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@');
  return new GenAutoMLError('db.unreachable', `Cannot reach PostgreSQL at ${safe}: ${(err as Error).message}`, {
    cause: err,
    hint: 'Start the server or fix DATABASE_URL; unset DATABASE_URL to use the embedded database.',
  });
}
