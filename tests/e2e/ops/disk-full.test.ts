/**
 * The CLI on a full disk (a small tmpfs as GENAUTOML_HOME, embedded database): opening the home
 * and a search whose disk fills while it runs both end with exit code 1 and a one-line
 * `[storage.disk_full] … — hint`, never a stack trace.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../engine/config.js';
import { silentLogger } from '../../../engine/log.js';
import { createApp } from '../../../server/app.js';
import { createTestHome, spawnCli, startCli, type TestHome } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from '../../helpers/tmpfs.js';

const STACK_LINE = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

describe.skipIf(tmpfsUnavailable !== null)(`the CLI on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
  const disks: SmallDisk[] = [];
  const homes: TestHome[] = [];
  afterAll(async () => {
    for (const h of homes) await h.dispose();
    for (const d of disks) d.dispose();
  });

  const diskHome = (sizeKb: number, env: Record<string, string | undefined> = {}): { disk: SmallDisk; home: TestHome } => {
    const disk = mountSmallDisk(sizeKb);
    disks.push(disk);
    const home = createTestHome({ DATABASE_URL: undefined, GENAUTOML_HOME: path.join(disk.dir, 'home'), ...env });
    homes.push(home);
    return { disk, home };
  };

  it('opening the embedded database: exit 1, storage.disk_full, no stack', async () => {
    const { disk, home } = diskHome(8 * 1024);
    disk.fill();
    const r = await spawnCli(['list_datasets'], home.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[storage.disk_full]');
    expect(r.stderr).toContain('Free space');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('undefined');
  });

  it('a search whose disk fills while it runs: exit 1 with the message, no stack', async () => {
    const { disk, home } = diskHome(96 * 1024, { GENAUTOML_LOG_LEVEL: 'info', GENAUTOML_LOG_FORMAT: 'json', GENAUTOML_WORKER_CONCURRENCY: '1' });
    const app = await createApp(loadConfig(home.env), silentLogger, { startQueue: false });
    let dataset: string;
    try {
      dataset = await loadSynthetic(app, { rows: 1500, features: 2 });
    } finally {
      await app.close();
    }
    const cli = startCli(['search', dataset, '--candidates', 'dlinear,nlinear', '--max-trials', '4', '--epochs', '2', '--lookback', '48', '--horizon', '12', '--sampler', 'random'], home.env);
    try {
      await cli.waitForStderr(/"msg":"trial started"/, 120_000);
      disk.fill();
      const code = await Promise.race([cli.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 240_000))]);
      expect(code).toBe(1);
      const stderr = cli.stderr();
      expect(stderr).toMatch(/\[storage\.disk_full\] [^\n]*ENOSPC[^\n]* — Free space/);
      expect(stderr).not.toMatch(STACK_LINE);
    } finally {
      await cli.stop('SIGKILL', 5000);
    }
  }, 420_000);
});
