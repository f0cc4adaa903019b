/**
 * Closing a study: the leaderboard is ranked by validation loss only (the selection); then the
 * best trial of each of the top architectures is evaluated once on the test split, timed and
 * reported, and the winner by validation is exported. Test numbers never change the ranking.
 */
import path from 'node:path';
import type { App } from '../app.js';
import { preparedFiles, type PreparedFiles } from '../datasets/store.js';
import { GenAutoMLError } from '../errors.js';
import type { EvaluateResult, LatencyResult } from '../runner/types.js';
import { toAlgorithmTrial } from './records.js';
import type { Params } from './space.js';
import { studySpecSchema, type StudySpec } from './spec.js';
import { leaderboard, countByState } from './study.js';
import { dataRefOf, trialModelSpec } from './trial.js';
import { exportAndStore } from './export.js';
import { renderStudyCharts } from './charts.js';

export interface LeaderboardRow {
  rank: number;
  arch: string;
  trial: number;
  valLoss: number;
  params: Params;
  modelParams: number | null;
  trainTimeS: number | null;
  test: EvaluateResult['metrics'] | null;
  latency: { batch1MsPerSample: number; batchedMsPerSample: number; batchSize: number } | null;
  error: string | null;
}

export interface StudyResult {
  selectedBy: 'validation';
  best: LeaderboardRow;
  leaderboard: LeaderboardRow[];
  counts: Record<string, number>;
  export: { dir: string; files: { name: string; bytes: number; sha256: string }[]; roundTripOk: boolean; errors: string[] } | null;
  charts: string[];
  finishedTrials: number;
}

export async function weightsPathOf(app: Pick<App, 'artifacts'>, studyId: string, number: number): Promise<string> {
  const link = await app.artifacts.findLink('trial', `${studyId}/${number}`, 'weights');
  if (!link) throw new GenAutoMLError('search.weights_missing', `Trial ${number} of study ${studyId} has no stored weights.`, { hint: 'The trial did not complete; choose another.' });
  return app.artifacts.localPath(link.sha256);
}

/** Test-split metrics and latency of one trained trial. */
export async function evaluateTrial(app: App, spec: StudySpec, files: PreparedFiles, studyId: string, number: number, params: Params): Promise<{ test: EvaluateResult; latency: LatencyResult }> {
  const { model } = trialModelSpec(spec, params, files.meta.columns.length);
  const weightsPath = await weightsPathOf(app, studyId, number);
  const test = await app.runner.evaluate({ ...model, data: dataRefOf(spec, files), weightsPath, anomaly: { seed: spec.request.seed } });
  const latency = await app.runner.latency({ ...model, weightsPath });
  return { test, latency };
}

export async function finaliseStudy(app: App, studyId: string): Promise<StudyResult> {
  const log = app.logger.child({ study: studyId });
  const study = await app.studies.get(studyId);
  const spec = studySpecSchema.parse(study.spec);
  const trials = (await app.studies.trials(studyId)).map(toAlgorithmTrial);
  const board = leaderboard(trials);
  if (board.length === 0) {
    throw new GenAutoMLError('search.no_complete_trial', `No trial of study ${studyId} completed, so there is no model to report.`, {
      hint: 'search_status shows each trial’s error; fix the candidates or give the search more time.',
    });
  }
  const files = await preparedFiles(app, study.datasetId);
  const rows: LeaderboardRow[] = [];
  for (const entry of board) {
    const metrics = (await app.studies.trial(studyId, entry.trial.number))?.metrics as { params?: number; trainTimeS?: number } | null;
    const row: LeaderboardRow = {
      rank: entry.rank,
      arch: entry.arch,
      trial: entry.trial.number,
      valLoss: entry.value,
      params: entry.trial.params,
      modelParams: metrics?.params ?? null,
      trainTimeS: metrics?.trainTimeS ?? null,
      test: null,
      latency: null,
      error: null,
    };
    if (entry.rank <= spec.request.topK) {
      try {
        const { test, latency } = await evaluateTrial(app, spec, files, studyId, entry.trial.number, entry.trial.params);
        row.test = test.metrics;
        row.latency = { batch1MsPerSample: latency.batch1MsPerSample, batchedMsPerSample: latency.batchedMsPerSample, batchSize: latency.batchSize };
      } catch (err) {
        row.error = (err as Error).message;
        log.warn('test evaluation failed', { arch: entry.arch, trial: entry.trial.number, err });
      }
      // Renew the finalisation lease while the long evaluations run.
      await app.db.executeSql('UPDATE studies SET updated_at = now() WHERE id = $1', [studyId]);
    }
    rows.push(row);
  }
  const best = rows[0] as LeaderboardRow;
  const exported = await exportWinner(app, spec, files, studyId, best, log);
  const charts = await renderStudyCharts(app, studyId, rows, { title: spec.datasetName, task: spec.request.task, columns: files.meta.columns });
  const result: StudyResult = {
    selectedBy: 'validation',
    best,
    leaderboard: rows,
    counts: countByState(trials),
    export: exported,
    charts,
    finishedTrials: trials.filter((t) => t.state !== 'running').length,
  };
  if (!(await app.studies.transition(studyId, ['finalising'], 'done', { result }))) {
    throw new GenAutoMLError('search.state_conflict', `Study ${studyId} left the finalising state while being finalised.`, { hint: 'It was probably cancelled meanwhile.' });
  }
  return result;
}

async function exportWinner(
  app: App,
  spec: StudySpec,
  files: PreparedFiles,
  studyId: string,
  best: LeaderboardRow,
  log: App['logger'],
): Promise<StudyResult['export']> {
  const outDir = path.join(app.config.home, 'exports', studyId, `${best.arch}-trial${best.trial}`);
  try {
    const res = await exportAndStore(app, spec, files, studyId, best.trial, best.params, outDir, 'export', {
      validation: best.valLoss,
      test: best.test,
      latency: best.latency,
      study: studyId,
      trial: best.trial,
      arch: best.arch,
    });
    return { dir: res.dir, files: res.files, roundTripOk: res.roundTripOk, errors: res.errors };
  } catch (err) {
    log.warn('export failed', { err });
    return { dir: outDir, files: [], roundTripOk: false, errors: [(err as Error).message] };
  }
}
