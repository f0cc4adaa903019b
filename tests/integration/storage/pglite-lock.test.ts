import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../../storage/pglite.js';

describe('embedded database directory lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-lock-'));
    dirs.push(d);
    return d;
  };

  it('refuses a second opener and names DATABASE_URL', async () => {
    const dir = tmp();
    const db = await openPglite({ dataDir: dir, schema: 'genautoml' });
    try {
      const err = await openPglite({ dataDir: dir, schema: 'genautoml' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'db.locked' });
      expect((err as { hint: string }).hint).toContain('DATABASE_URL');
    } finally {
      await db.close();
    }
    expect(fs.existsSync(path.join(dir, 'genautoml.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = tmp();
    // A pid that surely exited: a finished child's.
    const child = spawnSync(process.execPath, ['-e', 'process.pid']);
    fs.writeFileSync(path.join(dir, 'genautoml.lock'), String(child.pid));
    const db = await openPglite({ dataDir: dir, schema: 'genautoml' });
    await db.executeSql('SELECT 1');
    await db.close();
  });
});
