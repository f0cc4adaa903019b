/**
 * Fifty concurrent `validate` calls through the tool layer on a pool of two runner slots: every
 * call is answered (a report, or runner.busy with a retry-after), never more runner processes
 * live than the slots plus the warm validate pool, and their summed memory stays within that
 * many runner budgets. (Before admission control the same burst started fifty runners.)
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { silentLogger } from '../../../engine/log.js';
import { getTool } from '../../../tools/index.js';
import { invokeTool } from '../../../tools/invoke.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { commandOf, descendantPids } from '../../helpers/procs.js';
import { until } from '../../helpers/wait.js';
import { model } from '../runner/helpers.js';

const SLOTS = 2;
const QUEUE = 4;
const WARM = 1;
const CALLS = 50;

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runner interpreters under this process and their summed resident memory. */
function runners(): { count: number; rss: number } {
  const pythons = descendantPids(process.pid).filter((p) => commandOf(p).startsWith('python'));
  return { count: pythons.length, rss: pythons.reduce((a, p) => a + rssBytes(p), 0) };
}

describe('admission: 50 concurrent validates', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        GENAUTOML_RUNNER_SLOTS: String(SLOTS),
        GENAUTOML_RUNNER_QUEUE: String(QUEUE),
        GENAUTOML_RUNNER_QUEUE_WAIT_S: '600',
        GENAUTOML_VALIDATE_POOL: String(WARM),
        GENAUTOML_DEVICE: 'cpu',
      },
    });
    await t.app.runner.warmUp();
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('answers every call, done or busy with retry-after, with runners bounded by the pool', async () => {
    const code = model('linear.py');
    let peak = { count: 0, rss: 0 };
    const sampler = setInterval(() => {
      const now = runners();
      peak = { count: Math.max(peak.count, now.count), rss: Math.max(peak.rss, now.rss) };
    }, 50);
    const outcomes = await Promise.all(
      Array.from({ length: CALLS }, () =>
        invokeTool(getTool('validate'), { code, lookback: 48, horizon: 12, features: 3 }, { app: t.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin: 'mcp' }).then(
          (r) => ({ ok: true as const, valid: r.data['ok'] === true }),
          (e: unknown) => ({ ok: false as const, err: e }),
        ),
      ),
    );
    clearInterval(sampler);

    const done = outcomes.filter((o) => o.ok);
    const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.err]));
    expect(done.length + refused.length).toBe(CALLS);
    expect(done.every((o) => o.valid)).toBe(true);
    // The slots and the queue behind them were served; the rest was refused at once.
    expect(done.length).toBeGreaterThanOrEqual(SLOTS + QUEUE);
    expect(refused.length).toBeGreaterThan(0);
    for (const err of refused) {
      expect(err).toBeInstanceOf(GenAutoMLError);
      const e = err as GenAutoMLError;
      expect(e.code).toBe('runner.busy');
      expect(e.details?.['retryAfterS']).toBeGreaterThanOrEqual(1);
      expect(e.hint).toMatch(/Retry in \d+ s/);
    }
    // A validation answers before its process has exited; the slot is given back once it has.
    const stats = await until(async () => t.app.runner.admission.stats(), (s) => s.active === 0, 30_000, 'the last runners to exit');
    expect(stats.peak).toBeLessThanOrEqual(SLOTS);
    expect(stats.refused).toBe(refused.length);
    expect(stats.waiting).toBe(0);
    // Processes actually alive: the slots plus the warm pool, and their memory within that many budgets.
    expect(peak.count).toBeGreaterThan(0);
    expect(peak.count).toBeLessThanOrEqual(SLOTS + WARM);
    expect(peak.rss).toBeLessThanOrEqual((SLOTS + WARM) * t.config.runnerBudgetMb * 1024 * 1024);
  }, 300_000);
});
