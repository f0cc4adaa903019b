/**
 * The simple baselines as leaderboard rows beside the searched models: the same prepared rows,
 * the same injected faults (same seed and count as the models' evaluation) or dataset labels, the
 * same validation-only threshold rule and the same metrics.
 */
import { performance } from 'node:perf_hooks';
import { defaultFaultCount, injectFaults, loadSeries } from '../runner/scoring.js';
import type { PreparedMeta } from '../data/prepared.js';
import type { AnomalyMetrics } from '../runner/types.js';
import { BASELINES, baselineScores, type BaselineName } from './baselines.js';
import { anomalyReport, seriesBuffer, validationLabels } from './evaluate.js';

export interface BaselineResult {
  name: BaselineName;
  metrics: AnomalyMetrics;
  /** Numbers fitted on the training rows. */
  fitted: number;
  /** Fitting and scoring time, seconds. */
  timeS: number;
}

export async function anomalyBaselines(data: { valuesPath: string; labelsPath?: string; meta: PreparedMeta }, opts: { seed: number; faults?: number }): Promise<BaselineResult[]> {
  const series = await loadSeries(data.valuesPath, data.meta, data.labelsPath);
  const [ta, tb] = data.meta.splits.test;
  // The models' evaluation injects exactly these faults (runner/client.ts evaluate).
  const injected = series.labels ? null : injectFaults(series, opts.seed, opts.faults ?? defaultFaultCount(tb - ta));
  const testSeries = injected ? injected.series : series;
  const labels = injected ? injected.labels : series.labels!.subarray(ta, tb);
  const buffer = seriesBuffer(series);
  const valLabels = validationLabels(series);
  const out: BaselineResult[] = [];
  for (const name of BASELINES) {
    const t0 = performance.now();
    const s = baselineScores(name, series, testSeries, buffer);
    const metrics = anomalyReport({
      test: { normalised: s.test },
      labels,
      kind: injected ? 'injected' : 'dataset',
      faults: injected ? injected.faults : [],
      validation: { normalised: s.val, labels: valLabels, buffer },
    });
    out.push({ name, metrics, fitted: s.fitted, timeS: (performance.now() - t0) / 1000 });
  }
  return out;
}
