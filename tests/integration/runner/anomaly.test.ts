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
    expect(b.metrics).toEqual(a.metrics); // seeded
  }, 240_000);

  it('uses the dataset labels when present', async () => {
    const rows = 600;
    const labels = new Uint8Array(rows);
    labels.fill(1, 500, 520);
    labels.fill(1, 100, 110); // in train: those windows are left out of training
    const data = syntheticData({ rows, channels: 3, labels });
    const t = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('anom-l'), train: { epochs: 2 } });
    const e = await client.evaluate({ code: model('linear.py'), dims, data, weightsPath: t.weightsPath });
    if (e.metrics.task !== 'anomaly') throw new Error('expected anomaly metrics');
    expect(e.metrics.labels).toBe('dataset');
    expect(e.metrics.anomalousRows).toBe(20);
    expect(e.metrics.faults).toEqual([]);
  }, 240_000);
});
