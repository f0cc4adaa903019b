/** Opens the configured database (server when DATABASE_URL is set, else embedded) and migrates it. */
import path from 'node:path';
import type { Config } from '../engine/config.js';
import type { Database } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'home' | 'dbSchema'>, options: { inMemory?: boolean } = {}): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres({ url: config.databaseUrl, schema: config.dbSchema })
    : await openPglite({ dataDir: options.inMemory ? 'memory://' : path.join(config.home, 'db'), schema: config.dbSchema });
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
