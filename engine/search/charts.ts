/** The study's charts, stored as artefacts of the study: error against latency with the Pareto front. */
import type { App } from '../app.js';
import { paretoPlot } from '../plots/index.js';
import type { LeaderboardRow } from './finalise.js';
import type { StudySpec } from './spec.js';

export async function renderStudyCharts(app: App, studyId: string, spec: StudySpec, rows: LeaderboardRow[]): Promise<string[]> {
  const forecasting = spec.request.task === 'forecasting';
  const timed = rows.filter((r) => r.latency !== null);
  const points = (timed.length >= 1 ? timed : rows)
    .map((r) => ({
      name: r.arch,
      x: r.latency ? r.latency.batch1MsPerSample : (r.modelParams ?? NaN),
      y: r.test?.task === 'forecasting' ? r.test.mse : r.valLoss,
    }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length === 0) return [];
  const yLabel = rows.some((r) => r.test?.task === 'forecasting') ? 'test MSE (scaled)' : forecasting ? 'validation MAE' : 'validation MSE';
  const plot = await paretoPlot({
    title: `${spec.datasetName}: error vs latency`,
    points,
    xLabel: timed.length >= 1 ? 'latency, ms per sample (batch 1)' : 'parameters',
    yLabel,
    logX: true,
  });
  const name = 'charts/pareto.png';
  const sha = await app.artifacts.put(plot.png, 'image/png');
  await app.artifacts.link({ ownerKind: 'study', ownerId: studyId, name, sha256: sha, mime: 'image/png' });
  return [name];
}
