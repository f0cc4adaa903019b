/**
 * Test databases. With DATABASE_URL set, each test gets a fresh schema on the real PostgreSQL
 * server (dropped afterwards); without it, a fresh in-memory PGlite. CI runs the suite both ways.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database } from '../../storage/db.js';
import { migrate } from '../../storage/migrate.js';
import { pgliteDatabase } from '../../storage/pglite.js';
import { openPostgres } from '../../storage/postgres.js';

export const TEST_DATABASE_URL = process.env.DATABASE_URL;
export const DB_MODE: 'postgres' | 'pglite' = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export function freshSchemaName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export interface TestDatabase {
  db: Database;
  schema: string;
  /** Drops the schema (server) and closes. */
  dispose(): Promise<void>;
}

export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const schema = freshSchemaName();
  const db = TEST_DATABASE_URL
    ? await openPostgres({ url: TEST_DATABASE_URL, schema, poolSize: 4 })
    : await sharedPgliteSchema(schema);
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    schema,
    async dispose() {
      await db.close().catch(() => {});
      await dropSchemas(schema);
    },
  };
}

/** Drops a test schema and its queue schema on the server (no-op on PGlite). */
export async function dropSchemas(schema: string): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE;`);
  } finally {
    await client.end();
  }
}

let shared: Promise<PGlite> | undefined;

/** One in-memory PGlite per test file (vitest isolates files), a fresh schema per test. */
async function sharedPgliteSchema(schema: string): Promise<Database> {
  shared ??= PGlite.create();
  const instance = await shared;
  await instance.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}, public;`);
  return pgliteDatabase(instance, schema, async () => {
    await instance.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE; SET search_path TO public;`);
  });
}
