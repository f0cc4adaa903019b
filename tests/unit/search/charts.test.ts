/** The forecast-vs-truth chart of a chosen feature, from the stored last test window. */
import { describe, expect, it } from 'vitest';
import { benchmarkPlots, featureWindow } from '../../../engine/search/charts.js';
import type { LeaderboardRow } from '../../../engine/search/result.js';

const columns = ['load', 'temp', 'OT'];
const sample = {
  channel: 2,
  start: 100,
  history: [1, 2, 3],
  truth: [4, 5],
  prediction: [4.5, 5.5],
  channels: {
    history: [[10, 11, 12], [20, 21, 22], [1, 2, 3]],
    truth: [[13, 14], [23, 24], [4, 5]],
    prediction: [[13.1, 14.1], [23.2, 24.2], [4.5, 5.5]],
  },
};

describe('featureWindow', () => {
  it('defaults to the target and picks any stored feature by name', () => {
    expect(featureWindow(sample, columns)).toEqual({ name: 'OT', history: [1, 2, 3], truth: [4, 5], prediction: [4.5, 5.5] });
    expect(featureWindow(sample, columns, 'temp')).toEqual({ name: 'temp', history: [20, 21, 22], truth: [23, 24], prediction: [23.2, 24.2] });
  });

  it('refuses an unknown column, and a feature the report did not keep, with hints', () => {
    expect(() => featureWindow(sample, columns, 'humidity')).toThrow(expect.objectContaining({ code: 'benchmark.unknown_feature', hint: 'Columns: load, temp, OT.' }));
    const { channels: _dropped, ...targetOnly } = sample;
    expect(() => featureWindow(targetOnly, columns, 'load')).toThrow(expect.objectContaining({ code: 'benchmark.feature_unavailable' }));
    expect(featureWindow(targetOnly, columns, 'OT').name).toBe('OT');
  });

  it('titles the chart with the chosen feature', async () => {
    const row = {
      rank: 1,
      arch: 'dlinear',
      trial: 0,
      params: {},
      valLoss: 0.3,
      test: { task: 'forecasting', mse: 0.4, mae: 0.4, rmse: 0.63, maeOriginal: 1, rmseOriginal: 1, targetMaeOriginal: 1, targetRmseOriginal: 1, windows: 10, sample },
      latency: null,
      modelParams: 100,
      trainTimeS: 1,
      error: null,
    } as unknown as LeaderboardRow;
    const plots = await benchmarkPlots([row], { title: 'demo', task: 'forecasting', columns, feature: 'temp' });
    const forecast = plots.find((p) => p.name === 'forecast');
    expect(forecast?.title).toBe('dlinear: forecast vs truth (temp, last test window)');
    expect(forecast?.png.subarray(0, 4).equals(Buffer.from('\x89PNG', 'latin1'))).toBe(true);
  });
});
