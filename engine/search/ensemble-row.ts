/**
 * The leaderboard's ensemble row: the top-K models' causal predictions weighed by greedy forward
 * selection on validation (ensemble.ts), its test metrics from the same predictions (the test
 * split is not read again), its latency measured as one module in a sandbox.
 */
import type { App } from '../app.js';
import { loadSeries } from '../runner/scoring.js';
import { buildEnsemble, type MemberPredictions } from './ensemble.js';
import { ensembleSpecOf } from './export.js';
import type { EnsembleInfo, LeaderboardRow } from './result.js';
import { trialThreadsNow, type StudyFiles } from './trained.js';

/** The row (rank 0 until the study ranks it), or why there is none. */
export async function ensembleRow(
  app: App,
  study: StudyFiles,
  rows: readonly LeaderboardRow[],
  predictions: ReadonlyMap<number, MemberPredictions>,
  log: App['logger'],
): Promise<{ row: LeaderboardRow | null; skipped: string | null }> {
  const { spec, files } = study;
  const candidates = rows.filter((r): r is LeaderboardRow & { trial: number } => r.trial !== null && r.test !== null && predictions.has(r.trial));
  if (candidates.length < 2) return { row: null, skipped: `fewer than two of the top ${spec.request.topK} models were evaluated` };
  const series = await loadSeries(files.values, files.meta);
  const { ensemble, why } = buildEnsemble(
    series,
    spec.request.horizon,
    candidates.map((r) => predictions.get(r.trial)!),
  );
  if (!ensemble) return { row: null, skipped: why };
  const kept = candidates.map((r, i) => ({ row: r, weight: ensemble.weights[i]! })).filter((m) => m.weight > 0);
  const info: EnsembleInfo = {
    members: kept.map((m) => ({ arch: m.row.arch, trial: m.row.trial, weight: m.weight })),
    picks: ensemble.picks,
    fitValLoss: ensemble.fitValLoss,
  };
  const sum = (xs: Array<number | null>): number | null => (xs.every((x): x is number => x !== null) ? xs.reduce((a, b) => a + b, 0) : null);
  const row: LeaderboardRow = {
    rank: 0,
    arch: 'ensemble',
    trial: null,
    // No trainer scored an ensemble: both validation columns show the held-out score that selects.
    valLoss: ensemble.heldOutValLoss,
    causalValLoss: ensemble.heldOutValLoss,
    params: {},
    modelParams: sum(kept.map((m) => m.row.modelParams)),
    trainTimeS: sum(kept.map((m) => m.row.trainTimeS)),
    test: ensemble.test,
    latency: null,
    error: null,
    ensemble: info,
  };
  try {
    const lat = await app.runner.ensembleLatency(await ensembleSpecOf(app, study, info), { threads: trialThreadsNow(app) });
    row.latency = { batch1MsPerSample: lat.batch1MsPerSample, batchedMsPerSample: lat.batchedMsPerSample, batchSize: lat.batchSize };
  } catch (err) {
    row.error = `latency: ${(err as Error).message}`;
    log.warn('ensemble latency failed', { err });
  }
  log.info('ensemble built', { members: info.members.map((m) => `${m.arch}#${m.trial}:${m.weight.toFixed(3)}`).join(' '), heldOutValLoss: ensemble.heldOutValLoss });
  return { row, skipped: null };
}
