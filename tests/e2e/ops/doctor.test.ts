/** `genautoml doctor` as built: the exit code and the JSON report for a missing Python and a dead database. */
import { describe, expect, it } from 'vitest';
import { createTestHome, spawnCli } from '../../helpers/app.js';

describe('genautoml doctor', () => {
  it('exits 1 with a fix when Python is missing and PostgreSQL is unreachable', async () => {
    const t = createTestHome({ GENAUTOML_PYTHON: '/nonexistent', DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/none' });
    try {
      const r = await spawnCli(['doctor', '--json', '--quick'], t.env, { timeoutMs: 120_000 });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string; fix?: string }[] };
      expect(report.ok).toBe(false);
      const by = Object.fromEntries(report.checks.map((c) => [c.name, c]));
      expect(by.python).toMatchObject({ status: 'fail', fix: expect.stringMatching(/GENAUTOML_PYTHON/) });
      expect(by.database).toMatchObject({ status: 'fail', fix: expect.stringMatching(/DATABASE_URL/) });
      expect(r.stdout).not.toContain('hunter2');
      expect(by.node!.status).toBe('ok');
    } finally {
      await t.dispose();
    }
  });

  it('prints a table and exits 0 on a working embedded set-up', async () => {
    const t = createTestHome({ DATABASE_URL: undefined, GENAUTOML_ALLOW_UNSANDBOXED: 'true' });
    try {
      const r = await spawnCli(['doctor', '--quick'], t.env, { timeoutMs: 120_000 });
      expect(r.stdout).toMatch(/^ok {4}database +embedded PGlite/m);
      expect(r.stdout).toMatch(/^(ok|WARN) +queue/m);
      expect(r.code, r.stdout).toBe(0);
    } finally {
      await t.dispose();
    }
  });
});
