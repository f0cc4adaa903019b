import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { createArtifactStore, sha256Hex } from '../../../storage/artifacts.js';
import { createDatasetRepo } from '../../../storage/datasets.js';
import { loadMigrations, migrate } from '../../../storage/migrate.js';
import { createModelRepo } from '../../../storage/models.js';
import { DB_MODE, openTestDatabase, type TestDatabase } from '../../helpers/db.js';

const meta = {
  formatVersion: 1 as const,
  rows: 10,
  columns: ['a', 'b'],
  target: 'b',
  frequencyMs: 3_600_000,
  start: '2020-01-01T00:00:00.000Z',
  end: '2020-01-01T09:00:00.000Z',
  splits: { train: [0, 7] as [number, number], val: [7, 8] as [number, number], test: [8, 10] as [number, number] },
  scaler: { mean: [0, 1], std: [1, 2] },
  hasLabels: false,
};

describe(`storage on ${DB_MODE}`, () => {
  let t: TestDatabase;
  let cache: string;
  beforeEach(async () => {
    t = await openTestDatabase();
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-cache-'));
  });
  afterEach(async () => {
    await t.dispose();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('applies every migration once and records it', async () => {
    const again = await migrate(t.db);
    expect(again).toEqual([]);
    const rows = (await t.db.executeSql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
    expect(rows.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
  });

  it('rolls back a failing migration and keeps existing data', async () => {
    const models = createModelRepo(t.db);
    await models.insert({ id: 'md_keep', name: 'keep', kind: 'user', code: 'x', codeSha: 'y', request: null, provider: null, iterations: null, report: null, dims: null });
    const broken = [{ version: 900, name: '900_broken', sql: 'CREATE TABLE half_done (x int); SELECT * FROM no_such_table;' }];
    const err = await migrate(t.db, broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).code).toBe('db.migration_failed');
    const tables = await t.db.executeSql<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`,
      [t.schema],
    );
    expect(Number(tables.rows[0]?.n)).toBe(0);
    const applied = await t.db.executeSql<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations WHERE version = 900');
    expect(Number(applied.rows[0]?.n)).toBe(0);
    expect((await models.get('keep')).id).toBe('md_keep');
  });

  it('stores artefacts by content hash, deduplicates, and serves them from the file cache', async () => {
    const store = createArtifactStore(t.db, cache);
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const sha = await store.put(bytes, 'application/octet-stream');
    expect(sha).toBe(sha256Hex(bytes));
    expect(await store.put(bytes, 'application/octet-stream')).toBe(sha);
    const count = await t.db.executeSql<{ n: number }>('SELECT count(*)::int AS n FROM artifacts');
    expect(Number(count.rows[0]?.n)).toBe(1);
    expect([...(await store.get(sha))]).toEqual([1, 2, 3, 250]);
    const file = await store.localPath(sha);
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3, 250]);
    // A second store with an empty cache still finds it in the database.
    const other = createArtifactStore(t.db, path.join(cache, 'other'));
    expect([...(await other.get(sha))]).toEqual([1, 2, 3, 250]);
    await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ code: 'storage.artifact_missing' });
  });

  it('keeps datasets with their metadata and links', async () => {
    const datasets = createDatasetRepo(t.db);
    const store = createArtifactStore(t.db, cache);
    await t.db.transaction(async (tx) => {
      const txStore = createArtifactStore(tx, cache);
      const sha = await txStore.put(new Uint8Array(8), 'application/x-float32');
      await datasets.insert(tx, { id: 'ds_1', name: 'demo', source: { kind: 'inline' }, meta, summary: { rows: 10 } });
      await txStore.link({ ownerKind: 'dataset', ownerId: 'ds_1', name: 'values', sha256: sha, mime: 'application/x-float32' });
    });
    const got = await datasets.get('ds_1');
    expect(got.meta.splits.test).toEqual([8, 10]);
    expect(got.summary).toEqual({ rows: 10 });
    expect((await store.links('dataset', 'ds_1')).map((l) => l.name)).toEqual(['values']);
    expect((await datasets.list()).map((d) => d.id)).toEqual(['ds_1']);
    await expect(datasets.get('ds_nope')).rejects.toMatchObject({ code: 'dataset.not_found' });
  });

  it('stores nothing when a transaction fails half-way', async () => {
    const datasets = createDatasetRepo(t.db);
    await expect(
      t.db.transaction(async (tx) => {
        await createArtifactStore(tx, cache).put(new Uint8Array([9]), 'x/y');
        await datasets.insert(tx, { id: 'ds_2', name: 'half', source: {}, meta, summary: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await datasets.find('ds_2')).toBeUndefined();
    const count = await t.db.executeSql<{ n: number }>('SELECT count(*)::int AS n FROM artifacts');
    expect(Number(count.rows[0]?.n)).toBe(0);
  });

  it('registers models with unique names, renames and deletes them', async () => {
    const models = createModelRepo(t.db);
    const base = { kind: 'generated' as const, code: 'class Model: pass', codeSha: 'h', request: 'r', provider: 'offline', iterations: 1, report: { ok: true }, dims: null };
    await models.insert({ id: 'md_a', name: 'alpha', ...base });
    await expect(models.insert({ id: 'md_b', name: 'alpha', ...base })).rejects.toMatchObject({ code: 'model.name_taken' });
    await models.insert({ id: 'md_b', name: 'beta', ...base });
    expect(await models.names()).toEqual(expect.arrayContaining(['alpha', 'beta']));
    await expect(models.rename('beta', 'alpha')).rejects.toMatchObject({ code: 'model.name_taken' });
    expect((await models.rename('beta', 'gamma')).name).toBe('gamma');
    await models.delete('md_a');
    expect((await models.list()).map((m) => m.name)).toEqual(['gamma']);
    await models.insert({ id: 'md_z', name: 'dlinear', ...base, kind: 'baseline' });
    await expect(models.delete('dlinear')).rejects.toMatchObject({ code: 'model.read_only' });
  });
});
