import { afterAll, describe, expect, it } from 'vitest';
import { makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const dims = { task: 'anomaly' as const, lookback: 24, horizon: 4, nFeatures: 3 };

describe('anomaly detection', () => {
  it('trains on normal data and separates injected faults (seeded, labelled)', async () => {
    const data = syntheticData({ rows: 800, channels: 3, seed: 11 });
    const work = tmp('anom');
    const t = await client.train({ code: model('linear.py'), dims, data, workDir: work, train: { epochs: 8, lr: 3e-3 } });
    expect(t.bestValLoss).not.toBeNull();
    const a = await client.evaluate({ code: model('linear.py'), dims, data, weightsPath: t.weightsPath, anomaly: { seed: 5, faults: 6 } });
    const b = await client.evaluate({ code: model('linear.py'), dims, data, weightsPath: t.weightsPath, anomaly: { seed: 5, faults: 6 } });
    const m = a.metrics;
    if (m.task !== 'anomaly') throw new Error('expected anomaly metrics');
    expect(m.labels).toBe('injected');
    expect(m.faults.map((f) => f.kind)).toEqual(['spike', 'level_shift', 'drift', 'stuck', 'noise_burst', 'spike']);
    expect(m.rows).toBe(160);
    expect(m.anomalousRows).toBe(m.faults.reduce((n, f) => n + f.length, 0));
    // Faults raise the prediction error well above the clean level.
    expect(m.ratio!).toBeGreaterThan(2);
    expect(m.rocAuc!).toBeGreaterThan(0.6);
    expect(m.prAuc!).toBeGreaterThan(0);
    expect(m.bestF1!).toBeGreaterThan(0);
    // The honest report: threshold from the (clean, unlabelled) validation rows' 99th percentile,
    // the same threshold-free numbers, no-skill values from the label rate.
    const s = m.scores!;
    expect(s.threshold.rule).toBe('val_quantile');
    expect(s.threshold.quantile).toBe(0.99);
    expect(s.prAuc).toBe(m.prAuc);
    expect(s.rocAuc).toBe(m.rocAuc);
    expect(s.labelledRows).toBe(m.anomalousRows);
    expect(s.noSkill.prAuc).toBeCloseTo(m.anomalousRows / m.rows, 12);
    expect(s.noSkill.f1).toBeCloseTo((2 * s.labelRate) / (1 + s.labelRate), 12);
    expect(s.vusPr!).toBeGreaterThan(s.noSkill.vusPr!);
    expect(s.f1!).toBeLessThanOrEqual(m.bestF1! + 1e-12); // an oracle threshold is never worse
    expect(s.events).toBe(m.faults.length);
    expect(m.scoresOriginal!.rows).toBe(m.rows);
    expect(b.metrics).toEqual(a.metrics); // seeded
  }, 240_000);

  it('uses the dataset labels when present', async () => {
    const rows = 600;
    const labels = new Uint8Array(rows);
    labels.fill(1, 500, 520);
    labels.fill(1, 100, 110); // in train: those windows are left out of training
    labels.fill(1, 440, 446); // in validation: the threshold is the F1-best one there
    const data = syntheticData({ rows, channels: 3, labels });
    const t = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('anom-l'), train: { epochs: 2 } });
    const e = await client.evaluate({ code: model('linear.py'), dims, data, weightsPath: t.weightsPath });
    if (e.metrics.task !== 'anomaly') throw new Error('expected anomaly metrics');
    expect(e.metrics.labels).toBe('dataset');
    expect(e.metrics.anomalousRows).toBe(20);
    expect(e.metrics.faults).toEqual([]);
    expect(e.metrics.scores!.threshold.rule).toBe('val_best_f1');
    expect(e.metrics.scores!.events).toBe(1);
  }, 240_000);
});
