/**
 * Benchmark charts for a set of evaluated models: error against latency with the Pareto front,
 * the winner's forecast against the truth, and error by horizon step. The study stores them as
 * its artefacts; the benchmark tool returns them.
 */
import type { App } from '../app.js';
import { forecastPlot, horizonErrorPlot, paretoPlot, type Plot } from '../plots/index.js';
import type { LeaderboardRow } from './finalise.js';

export interface ChartContext {
  title: string;
  task: 'forecasting' | 'anomaly';
  /** Column names, to name the sampled channel. */
  columns: string[];
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
    const steps = sample.history.length + sample.truth.length;
    plots.push(
      await forecastPlot({
        title: `${best.arch}: forecast vs truth (${ctx.columns[sample.channel] ?? `channel ${sample.channel}`}, last test window)`,
        feature: ctx.columns[sample.channel] ?? `channel ${sample.channel}`,
        x: Array.from({ length: steps }, (_, i) => i - sample.history.length + 1),
        truth: [...sample.history, ...sample.truth],
        forecast: sample.prediction,
      }),
    );
  }
  const series = rows.flatMap((r) => (r.test?.task === 'forecasting' && r.test.horizonMse?.length ? [{ name: r.arch, errors: r.test.horizonMse }] : []));
  if (series.length > 0) plots.push(await horizonErrorPlot({ title: `${ctx.title}: test MSE by horizon step`, metric: 'MSE (scaled)', series }));
  return plots;
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
