/**
 * Benchmark charts for a set of evaluated models: error against latency with the Pareto front,
 * the winner's forecast against the truth, and error by horizon step. The study stores them as
 * its artefacts; the benchmark tool returns them.
 */
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { anomalyScorePlot, forecastPlot, horizonErrorPlot, paretoPlot, type Plot } from '../plots/index.js';
import type { LeaderboardRow } from './result.js';

export interface ChartContext {
  title: string;
  task: 'forecasting' | 'anomaly';
  /** Column names, to name the sampled channel. */
  columns: string[];
  /** Column for the forecast-vs-truth chart; default the target. */
  feature?: string;
}

type ForecastSample = NonNullable<Extract<NonNullable<LeaderboardRow['test']>, { task: 'forecasting' }>['sample']>;

/** The chosen feature's last test window from a stored sample, or a clear error. */
export function featureWindow(sample: ForecastSample, columns: string[], feature?: string): { name: string; history: number[]; truth: number[]; prediction: number[] } {
  const index = feature === undefined ? sample.channel : columns.indexOf(feature);
  if (index < 0) {
    throw new GenAutoMLError('benchmark.unknown_feature', `There is no column ${feature}.`, { hint: `Columns: ${columns.join(', ')}.` });
  }
  const name = columns[index] ?? `channel ${index}`;
  if (index === sample.channel) return { name, history: sample.history, truth: sample.truth, prediction: sample.prediction };
  const all = sample.channels;
  if (!all?.history[index] || !all.truth[index] || !all.prediction[index]) {
    throw new GenAutoMLError('benchmark.feature_unavailable', `This report kept the forecast of ${columns[sample.channel] ?? 'the target'} only, not of ${name}.`, {
      hint: 'Samples of every feature are kept when features × window length ≤ 100,000; benchmark chosen models on the dataset to plot this one.',
    });
  }
  return { name, history: all.history[index], truth: all.truth[index], prediction: all.prediction[index] };
}

export async function benchmarkPlots(rows: LeaderboardRow[], ctx: ChartContext): Promise<Plot[]> {
  const plots: Plot[] = [];
  const timed = rows.filter((r) => r.latency !== null);
  const points = (timed.length > 0 ? timed : rows)
    .map((r) => ({
      name: r.arch,
      x: r.latency ? r.latency.batch1MsPerSample : (r.modelParams ?? NaN),
      y: r.test?.task === 'forecasting' ? r.test.mse : r.test?.task === 'anomaly' ? 1 - (r.test.rocAuc ?? NaN) : r.valLoss,
    }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length > 0) {
    const yLabel = rows.some((r) => r.test) ? (ctx.task === 'forecasting' ? 'test MSE (scaled)' : '1 − ROC-AUC') : ctx.task === 'forecasting' ? 'validation MAE' : 'validation MSE';
    plots.push(await paretoPlot({ title: `${ctx.title}: error vs latency`, points, xLabel: timed.length > 0 ? 'latency, ms per sample (batch 1)' : 'parameters', yLabel, logX: true }));
  }
  const best = rows[0];
  const sample = best?.test?.task === 'forecasting' ? best.test.sample : undefined;
  if (best && sample) {
    const w = featureWindow(sample, ctx.columns, ctx.feature);
    const steps = w.history.length + w.truth.length;
    plots.push(
      await forecastPlot({
        title: `${best.arch}: forecast vs truth (${w.name}, last test window)`,
        feature: w.name,
        x: Array.from({ length: steps }, (_, i) => i - w.history.length + 1),
        truth: [...w.history, ...w.truth],
        forecast: w.prediction,
      }),
    );
  }
  for (const r of anomalyChartRows(rows)) {
    if (r.test?.task !== 'anomaly' || !r.test.trace) continue;
    const s = r.test.scores;
    plots.push(
      await anomalyScorePlot({
        name: r.simpleBaseline ? 'anomaly-scores-baseline' : 'anomaly-scores-model',
        title: `${ctx.title}: ${r.arch}${r.simpleBaseline ? ' (baseline)' : ''} anomaly score on the test rows${s?.vusPr == null ? '' : ` (VUS-PR ${s.vusPr.toFixed(3)}, no skill ${s.noSkill.vusPr?.toFixed(3) ?? '—'})`}`,
        x: r.test.trace.x,
        scores: r.test.trace.scores,
        windows: r.test.trace.windows,
        threshold: s?.threshold.value ?? null,
      }),
    );
  }
  const series = rows.flatMap((r) => (r.test?.task === 'forecasting' && r.test.horizonMse?.length ? [{ name: r.arch, errors: r.test.horizonMse }] : []));
  if (series.length > 0) plots.push(await horizonErrorPlot({ title: `${ctx.title}: test MSE by horizon step`, metric: 'MSE (scaled)', series }));
  return plots;
}

/** The anomaly rows worth a score chart: the selected model, and the best simple baseline by VUS-PR. */
function anomalyChartRows(rows: LeaderboardRow[]): LeaderboardRow[] {
  const vus = (r: LeaderboardRow): number => (r.test?.task === 'anomaly' ? (r.test.scores?.vusPr ?? -1) : -1);
  const model = rows.find((r) => !r.simpleBaseline && r.test?.task === 'anomaly');
  const baseline = rows.filter((r) => r.simpleBaseline).sort((a, b) => vus(b) - vus(a))[0];
  return [model, baseline].filter((r): r is LeaderboardRow => r !== undefined);
}

/** Renders and stores the charts of a finished study; returns their artefact link names. */
export async function renderStudyCharts(app: App, studyId: string, rows: LeaderboardRow[], ctx: ChartContext): Promise<string[]> {
  const names: string[] = [];
  for (const plot of await benchmarkPlots(rows, ctx)) {
    const name = `charts/${plot.name}.png`;
    const sha = await app.artifacts.put(plot.png, 'image/png');
    await app.artifacts.link({ ownerKind: 'study', ownerId: studyId, name, sha256: sha, mime: 'image/png' });
    names.push(name);
  }
  return names;
}
