/**
 * Baselines on the leaderboard: the same injected faults as the models' evaluation, rows after
 * the models and marked, and the notes under the table say the no-skill values and whether the
 * best model beats the best baseline — in both directions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anomalyBaselines } from '../../../engine/anomaly/board.js';
import { BASELINES } from '../../../engine/anomaly/baselines.js';
import { labelledSeries, toSeries } from '../../../engine/anomaly/suite.js';
import { defaultFaultCount, injectFaults } from '../../../engine/runner/scoring.js';
import { withAnomalyBaselines } from '../../../engine/search/baseline-rows.js';
import { leaderboardRowSchema, type LeaderboardRow } from '../../../engine/search/result.js';
import { anomalyNotes, benchmarkRows } from '../../../tools/benchmark.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'anomaly-board-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(withLabels: boolean): { valuesPath: string; labelsPath?: string; meta: ReturnType<typeof toSeries>['meta'] } {
  const ls = labelledSeries('b', 21, { rows: 2400, channels: 2, shapes: ['level_shift', 'spike', 'stuck'] });
  const s = toSeries(ls, withLabels);
  const valuesPath = path.join(dir, `values-${withLabels}.f32`);
  writeFileSync(valuesPath, Buffer.from(s.values.buffer));
  if (!withLabels) return { valuesPath, meta: s.meta };
  const labelsPath = path.join(dir, 'labels.u8');
  writeFileSync(labelsPath, Buffer.from(ls.labels));
  return { valuesPath, labelsPath, meta: s.meta };
}

describe('anomaly baselines on the leaderboard', () => {
  it('use the faults the models are evaluated on, when the dataset has no labels', async () => {
    const data = files(false);
    const out = await anomalyBaselines(data, { seed: 4 });
    expect(out.map((b) => b.name)).toEqual([...BASELINES]);
    const s = toSeries(labelledSeries('b', 21, { rows: 2400, channels: 2, shapes: ['level_shift', 'spike', 'stuck'] }), false);
    const [ta, tb] = s.meta.splits.test;
    const expected = injectFaults(s, 4, defaultFaultCount(tb - ta));
    for (const b of out) {
      expect(b.metrics.labels).toBe('injected');
      expect(b.metrics.faults).toEqual(expected.faults);
      expect(b.metrics.scores!.labelledRows).toBe(expected.labels.reduce((p, q) => p + q, 0));
      expect(b.metrics.scores!.threshold.rule).toBe('val_quantile');
    }
  });

  it('use the dataset labels when present, and are listed after the models, marked', async () => {
    const data = files(true);
    const model: LeaderboardRow = { rank: 1, arch: 'dlinear', trial: 0, valLoss: 0.5, params: {}, modelParams: 100, trainTimeS: 1, test: null, latency: null, error: null };
    const rows = await withAnomalyBaselines([model], data, 0);
    expect(rows.map((r) => r.arch)).toEqual(['dlinear', ...BASELINES]);
    expect(rows.slice(1).every((r) => r.simpleBaseline && r.rank > 1 && r.test?.task === 'anomaly' && r.test.labels === 'dataset')).toBe(true);
    // Stored as JSON (no NaN) and read back through the row schema: the baseline's missing loss survives.
    const back = JSON.parse(JSON.stringify(rows)).map((r: unknown) => leaderboardRowSchema.parse(r)) as LeaderboardRow[];
    expect(Number.isNaN(back[1]!.valLoss)).toBe(true);
    expect(back[0]!.valLoss).toBe(0.5);
    expect(back[1]!.simpleBaseline).toBe(true);
    const table = benchmarkRows({ title: 't', task: 'anomaly', columns: ['x0', 'x1'], rows, source: { kind: 'models', dataset: 'd' } });
    const z = table.find((r) => r.model === 'zscore')!;
    expect(z.simpleBaseline).toBe(true);
    expect(z.valLoss).toBeNull();
    expect(z.thresholdRule).toBe('val_best_f1');
    expect(z.vusPr!).toBeGreaterThan(z.noSkill!.vusPr!);
  });

  it('say honestly whether the best model beats the best baseline', () => {
    const row = (model: string, vusPr: number, simpleBaseline: boolean): Parameters<typeof anomalyNotes>[0][number] => ({
      rank: 1, model, trial: 0, members: null, valLoss: null, causalValLoss: null, testMse: null, testMae: null, maeOriginal: null, rmseOriginal: null,
      rocAuc: 0.6, prAuc: 0.2, bestF1: 0.3, anomalyRatio: 5.6, vusPr, f1: 0.2, eventRecall: 0.5, thresholdRule: 'val_quantile',
      prAucOriginal: null, vusPrOriginal: null, noSkill: { prAuc: 0.1, rocAuc: 0.5, vusPr: 0.12, f1: 0.18 }, simpleBaseline,
      params: null, latencyMsBatch1: null, latencyMsBatched: null, trainTimeS: null, error: null, origin: null,
    });
    const lose = anomalyNotes([row('patchtst', 0.2, false), row('zscore', 0.6, true)]).join('\n');
    expect(lose).toContain('No model beats the simple baseline zscore (VUS-PR 0.600 vs 0.200 for patchtst)');
    expect(lose).toContain('PR-AUC 0.100 (the label rate)');
    expect(lose).toContain('a ratio, not a verdict');
    const win = anomalyNotes([row('patchtst', 0.7, false), row('zscore', 0.6, true)]).join('\n');
    expect(win).toContain('The best model (patchtst, VUS-PR 0.700) beats the best simple baseline (zscore, 0.600).');
  });
});
