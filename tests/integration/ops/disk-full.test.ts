/**
 * A full disk met for real, on a small tmpfs: at every layer that writes (embedded database open
 * and queries, artefact cache, runner scratch, export, spool) the error is storage.disk_full with
 * an operator's hint, never `undefined` or internal.unexpected; nothing half-written is left
 * behind, and once space is freed the same operation succeeds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenAutoMLError} from '../../../engine/errors.js';
import { toGenAutoMLError } from '../../../engine/errors.js';
import { spool, spoolDir } from '../../../engine/search/spool.js';
import { createArtifactStore } from '../../../storage/artifacts.js';
import { openPglite } from '../../../storage/pglite.js';
import type { Config } from '../../../engine/config.js';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from '../../helpers/tmpfs.js';
import { makeClient, model, removeTmp, syntheticData, tmp } from '../runner/helpers.js';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<GenAutoMLError> {
  let err: unknown = null;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'the operation should have failed').not.toBeNull();
  return toGenAutoMLError(err);
}

function expectDiskFull(e: GenAutoMLError): void {
  expect(e.code).toBe('storage.disk_full');
  expect(e.message).toContain('ENOSPC');
  expect(e.message).not.toContain('undefined');
  expect(e.hint).toMatch(/Free space/);
}

/** Files under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe.skipIf(tmpfsUnavailable !== null)(`a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
  let disk: SmallDisk;

  beforeAll(() => {
    // Room for an embedded database (PGlite's initial files are some 30 MB).
    disk = mountSmallDisk(64 * 1024);
  });
  afterEach(() => {
    disk.free();
  });
  afterAll(() => {
    disk?.dispose();
    removeTmp();
  });

  it('embedded database: open and queries say storage.disk_full; data written before survives', async () => {
    disk.fill();
    const full = path.join(disk.dir, 'db-full');
    expectDiskFull(await failure(openPglite({ dataDir: full, schema: 'genautoml' })));
    // Not even an empty lock file is left behind.
    expect(filesUnder(full)).toEqual([]);
    disk.free();

    const db = await openPglite({ dataDir: path.join(disk.dir, 'db'), schema: 'genautoml' });
    try {
      await db.executeSql('CREATE TABLE kept (x text)');
      await db.executeSql("INSERT INTO kept VALUES ('before')");
      disk.fill();
      // PostgreSQL's own disk_full (53100) from inside PGlite.
      expectDiskFull(await failure(db.executeSql("INSERT INTO kept SELECT repeat('x', 1000) FROM generate_series(1, 50000)")));
      disk.free();
      await db.executeSql("INSERT INTO kept VALUES ('after')");
      expect((await db.executeSql<{ x: string }>("SELECT x FROM kept WHERE x IN ('before', 'after') ORDER BY x")).rows.map((r) => r.x)).toEqual(['after', 'before']);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('artefact cache: a read still answers, localPath says storage.disk_full and leaves no temporary file', async () => {
    const db = await openPglite({ dataDir: 'memory://', schema: 'genautoml' });
    try {
      await db.executeSql('CREATE TABLE artifacts (sha256 text PRIMARY KEY, bytes bytea NOT NULL, size bigint NOT NULL, mime text NOT NULL)');
      const cache = path.join(disk.dir, 'cache');
      const store = createArtifactStore(db, cache);
      const bytes = Buffer.alloc(256 * 1024, 7);
      const sha = await store.put(bytes, 'application/octet-stream');
      disk.fill();
      expect((await store.get(sha)).equals(bytes)).toBe(true);
      const e = await failure(store.localPath(sha));
      expectDiskFull(e);
      expect(e.message).toContain('store an artefact');
      expect(filesUnder(cache)).toEqual([]);
      disk.free();
      expect(fs.readFileSync(await store.localPath(sha)).equals(bytes)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('spool: storage.disk_full and no partial spool file', async () => {
    const weights = path.join(tmp('spool-w'), 'weights.tensors');
    fs.writeFileSync(weights, Buffer.alloc(128 * 1024, 1));
    const app = { config: { home: path.join(disk.dir, 'home') } as Config };
    fs.mkdirSync(spoolDir(app), { recursive: true });
    disk.fill();
    const e = await failure(() => spool(app, { studyId: 'st_1', number: 0, attempt: 1, state: 'complete', value: 0.5, weightsPath: weights }));
    expectDiskFull(e);
    expect(e.message).toContain('spool');
    expect(filesUnder(spoolDir(app))).toEqual([]);
    disk.free();
    const kept = spool(app, { studyId: 'st_1', number: 0, attempt: 1, state: 'complete', value: 0.5, weightsPath: weights });
    expect(fs.existsSync(kept.weightsPath!)).toBe(true);
  });

  it('runner scratch and export: storage.disk_full naming the directory', async () => {
    const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };
    const data = syntheticData({ rows: 300, channels: 3 });
    const scratchRoot = path.join(disk.dir, 'scratch');
    const onDisk = makeClient({ validatePoolSize: 0, scratchRoot });
    try {
      disk.fill();
      // The host stages the training data into the scratch root before any runner starts.
      const e = await failure(onDisk.train({ code: model('linear.py'), dims, data, workDir: tmp('df-train'), train: { epochs: 1 } }).promise);
      expectDiskFull(e);
      expect(e.details?.['path']).toBe(scratchRoot);
      expect(filesUnder(scratchRoot)).toEqual([]);
    } finally {
      await onDisk.close();
    }

    disk.free();
    const client = makeClient({ validatePoolSize: 0 });
    try {
      const trained = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('df-train'), train: { epochs: 1 } });
      const outDir = path.join(disk.dir, 'export');
      disk.fill();
      const e = await failure(client.export({ code: model('linear.py'), dims, weightsPath: trained.weightsPath, outDir, data: { meta: data.meta } }));
      expectDiskFull(e);
      expect(filesUnder(outDir)).toEqual([]);
    } finally {
      await client.close();
    }
  }, 240_000);
});
