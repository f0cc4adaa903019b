/**
 * The anomaly score chart: score over the test rows, labelled windows shaded, the validation
 * threshold as a rule; rendered for the selected model and for the best simple baseline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anomalyBaselines } from '../../../engine/anomaly/board.js';
import { labelledSeries, toSeries } from '../../../engine/anomaly/suite.js';
import { anomalyScoreSpec } from '../../../engine/plots/index.js';
import { benchmarkPlots } from '../../../engine/search/charts.js';
import type { LeaderboardRow } from '../../../engine/search/result.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'anomaly-charts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('anomaly score chart', () => {
  it('shades every labelled window and draws the threshold', () => {
    const spec = anomalyScoreSpec({ title: 't', x: [0, 1, 2, 3], scores: [0.1, 5, 0.2, 0.1], windows: [[1, 1]], threshold: 0.5 }) as unknown as { layer: Array<{ mark: { type: string }; data: { values: unknown[] } }> };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['rect', 'line', 'rule']);
    expect(spec.layer[0]!.data.values).toEqual([{ a: 1, b: 2 }]);
    expect(spec.layer[2]!.data.values).toEqual([{ v: 0.5 }]);
    expect(spec.layer[1]!.data.values).toHaveLength(4);
  });

  it('is rendered for the selected model and the best baseline of an anomaly board', async () => {
    const ls = labelledSeries('c', 2, { rows: 2400, channels: 2, shapes: ['level_shift', 'spike'] });
    const s = toSeries(ls);
    const valuesPath = path.join(dir, 'v.f32');
    const labelsPath = path.join(dir, 'l.u8');
    writeFileSync(valuesPath, Buffer.from(s.values.buffer));
    writeFileSync(labelsPath, Buffer.from(ls.labels));
    const base = await anomalyBaselines({ valuesPath, labelsPath, meta: s.meta }, { seed: 0 });
    const [ta, tb] = s.meta.splits.test;
    const trace = base[0]!.metrics.trace!;
    expect(trace.x.length).toBeLessThanOrEqual(1500);
    expect(trace.windows.length).toBe(ls.windows.filter((w) => w.start >= ta && w.end < tb).length);
    const rows: LeaderboardRow[] = [
      { rank: 1, arch: 'model', trial: 0, valLoss: 1, params: {}, modelParams: 1, trainTimeS: 1, test: base[1]!.metrics, latency: { batch1MsPerSample: 1, batchedMsPerSample: 1, batchSize: 1 }, error: null },
      ...base.map((b, i): LeaderboardRow => ({ rank: i + 2, arch: b.name, trial: -1, valLoss: NaN, params: {}, modelParams: b.fitted, trainTimeS: b.timeS, test: b.metrics, latency: null, error: null, simpleBaseline: true })),
    ];
    const plots = await benchmarkPlots(rows, { title: 'suite', task: 'anomaly', columns: ['x0', 'x1'] });
    const charts = plots.filter((p) => p.name.startsWith('anomaly-scores'));
    expect(charts).toHaveLength(2);
    expect(charts.map((p) => p.name)).toEqual(['anomaly-scores-model', 'anomaly-scores-baseline']);
    expect(charts[0]!.title).toContain('model anomaly score');
    expect(charts[1]!.title).toContain('(baseline)');
    if (process.env.GENAUTOML_PLOT_DIR) for (const [i, p] of charts.entries()) writeFileSync(path.join(process.env.GENAUTOML_PLOT_DIR, `anomaly-${i}.png`), p.png);
  });
});
