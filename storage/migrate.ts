/**
 * Numbered SQL migrations (`NNN_name.sql`), each applied in its own transaction together with
 * its row in schema_migrations: a migration is either fully applied or not at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GenAutoMLError } from '../engine/errors.js';
import { fromOsError } from '../engine/ops/os-errors.js';
import { assetPath } from '../engine/paths.js';
import type { Database } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir: string = assetPath('storage/migrations')): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return files.map((file) => ({
    version: Number.parseInt(file.slice(0, 3), 10),
    name: file.replace(/\.sql$/, ''),
    sql: fs.readFileSync(path.join(dir, file), 'utf8'),
  }));
}

export async function migrate(db: Database, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  await db.executeSql(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = new Set(
    (await db.executeSql<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    try {
      await db.transaction(async (tx) => {
        await tx.executeSql(m.sql);
        await tx.executeSql('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
    } catch (err) {
      if (err instanceof GenAutoMLError) throw err;
      rethrowIfOsError(err, `apply migration ${m.name} (rolled back, earlier data intact)`);
      throw new GenAutoMLError('db.migration_failed', `Migration ${m.name} failed and was rolled back: ${(err as Error).message}`, {
        cause: err,
        hint: 'Nothing from this migration was applied and earlier data is intact. Fix the database problem named above and start again.',
        details: { version: m.version },
      });
    }
    applied.push(m.version);
  }
  return applied;
}

function rethrowIfOsError(err: unknown, action: string): void {
  const os = fromOsError(err, action);
  if (os) throw os;
}
