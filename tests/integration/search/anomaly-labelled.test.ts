/**
 * An anomaly search on labelled incidents, as a user brings them: a sensor series with level
 * shifts, drifts, spikes and stuck readings (engine/anomaly/suite.ts), its labels as a separate
 * file of windows. Loaded through load_dataset, searched on the real queue and runner, and
 * benchmarked: the table holds every simple baseline on the same rows, and says honestly whether
 * the best model beats the best baseline on VUS-PR, in agreement with the numbers it shows.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINES } from '../../../engine/anomaly/baselines.js';
import { FAULT_SHAPES, labelledSeries } from '../../../engine/anomaly/suite.js';
import { labelCounts } from '../../../engine/data/label-windows.js';
import { silentLogger } from '../../../engine/log.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { studyStatus } from '../../../engine/search/service.js';
import { getTool } from '../../../tools/index.js';
import { invokeTool } from '../../../tools/invoke.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { DB_MODE } from '../../helpers/db.js';
import { until } from '../../helpers/wait.js';

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);

describe(`anomaly search on labelled incidents (${DB_MODE})`, () => {
  let t: TestApp;
  let dir: string;
  const abort = new AbortController();
  const ls = labelledSeries('sensor', 7, { rows: 1600, channels: 2, shapes: FAULT_SHAPES, testFaults: 4 });
  const call = (tool: string, args: Record<string, unknown>) =>
    invokeTool(getTool(tool), args, { app: t.app, progress: () => {}, signal: abort.signal, logger: silentLogger, origin: 'mcp' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'genautoml-anomaly-'));
    const stamp = (i: number): string => new Date(START + i * HOUR).toISOString();
    const rows = Array.from({ length: ls.rows }, (_, i) => [stamp(i), ...Array.from({ length: ls.channels }, (_, c) => ls.values[i * ls.channels + c]!.toFixed(5))].join(','));
    await writeFile(path.join(dir, 'sensor.csv'), ['time,s1,s2', ...rows].join('\n') + '\n');
    await writeFile(path.join(dir, 'incidents.csv'), ['start,end', ...ls.windows.map((w) => `${stamp(w.start)},${stamp(w.end)}`)].join('\n') + '\n');
    t = await createTestApp({ startQueue: true, env: { GENAUTOML_DATA_DIRS: dir } });
    await registerSearchWorkers(t.app, { concurrency: 1, pollingIntervalSeconds: 0.5, signal: abort.signal });
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await t?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads the windows as labels, searches, and reports every baseline and an honest verdict', async () => {
    const loaded = await call('load_dataset', { path: 'sensor.csv', labelWindows: 'incidents.csv' });
    // The suite's own 70/10/20 split is the default: the counts are the generator's.
    const counts = loaded.data.labels as { train: { rows: number; events: number }; val: unknown; test: unknown };
    expect(counts).toMatchObject({ source: 'windows', windows: { count: ls.windows.length, outside: 0 }, train: labelCounts(ls.labels, ls.splits.train), val: labelCounts(ls.labels, ls.splits.val), test: labelCounts(ls.labels, ls.splits.test) });
    expect(counts.train.rows).toBe(0);

    const started = await call('search', { dataset: loaded.data.id, task: 'anomaly', lookback: 48, horizon: 8, candidates: ['dlinear', 'nlinear'], maxTrials: 2, epochs: 2, patience: 2, parallelism: 1, sampler: 'random', pruner: 'none', seed: 1, topK: 2 });
    const study = started.data.studyId as string;
    const status = await until(() => studyStatus(t.app, study), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 600_000, 'the study to end');
    expect(status.state).toBe('done');

    const bench = await call('benchmark', { study });
    const rows = bench.data.rows as Array<{ model: string; simpleBaseline: boolean; vusPr: number | null; prAuc: number | null; f1: number | null; noSkill: { vusPr: number | null } | null; error: string | null }>;
    const baselines = rows.filter((r) => r.simpleBaseline);
    const models = rows.filter((r) => !r.simpleBaseline && !r.error);
    expect(baselines.map((r) => r.model).sort()).toEqual([...BASELINES].sort());
    expect(models.length).toBeGreaterThan(0);
    for (const r of [...baselines, ...models]) {
      expect(r.vusPr).toBeGreaterThanOrEqual(0);
      expect(r.vusPr).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.prAuc)).toBe(true);
      expect(Number.isFinite(r.f1)).toBe(true);
    }
    // The no-skill level is printed beside them: here the label rate of the test rows.
    expect(bench.summary).toMatch(/No skill on these test rows \(a constant score\): VUS-PR [\d.]+, PR-AUC [\d.]+ \(the label rate\)/);
    const bestModel = Math.max(...models.map((r) => r.vusPr!));
    const bestBaseline = Math.max(...baselines.map((r) => r.vusPr!));
    if (bestModel > bestBaseline) expect(bench.summary).toMatch(/The best model \(\S+, VUS-PR [\d.]+\) beats the best simple baseline/);
    else expect(bench.summary).toMatch(/No model beats the simple baseline \S+ \(VUS-PR [\d.]+ vs [\d.]+ for \S+\): prefer the baseline here\./);
  }, 900_000);
});
