/**
 * Closing a study: the leaderboard is ranked by validation loss only (the selection); then the
 * best trial of each of the top architectures is evaluated once on the test split, every row is
 * timed, a forecasting study weighs its top models into an ensemble on validation
 * (ensemble-row.ts), and the winner by validation is exported. Test numbers never change the
 * ranking.
 */
import path from 'node:path';
import { z } from 'zod';
import type { App } from '../app.js';
import { preparedFiles } from '../datasets/store.js';
import { GenAutoMLError, isErrorCode } from '../errors.js';
import type { EvaluateResult, LatencyResult } from '../runner/types.js';
import { toAlgorithmTrial } from './records.js';
import type { Params } from './space.js';
import { studySpecSchema } from './spec.js';
import { leaderboard, countByState } from './study.js';
import { dataRefOf } from './trial.js';
import { trainedTrial, trialThreadsNow, type StudyFiles } from './trained.js';
import { exportAndStore, exportEnsembleAndStore } from './export.js';
import { ensembleRow } from './ensemble-row.js';
import type { MemberPredictions } from './ensemble.js';
import { renderStudyCharts } from './charts.js';
import { originOf, unrankedRows } from './board.js';
import { withAnomalyBaselines } from './baseline-rows.js';
import type { LeaderboardRow, StudyResult } from './result.js';

/** A stored evaluation, parsed on the way out of the database (only the fields read back). */
const evaluationSchema = z.object({
  // Written by this module from a runner result the client had already checked.
  test: z.custom<EvaluateResult>((v) => typeof v === 'object' && v !== null && 'metrics' in v),
  latency: z.object({ batch1MsPerSample: z.number(), batchedMsPerSample: z.number(), batchSize: z.number() }),
});

/** Test-split metrics and latency of one trained trial, and the causal predictions it was scored on. */
export async function evaluateTrial(app: App, s: StudyFiles, number: number, params: Params): Promise<{ test: EvaluateResult; latency: LatencyResult; predictions: MemberPredictions }> {
  const trained = await trainedTrial(app, s, number, params);
  // Threads by the trial policy: finalisation runs beside other studies' trials on this host.
  const evaluated = await app.runner.evaluateWithPredictions({ ...trained, data: dataRefOf(s.spec, s.files), anomaly: { seed: s.spec.request.seed } }, { threads: trialThreadsNow(app) });
  const latency = await app.runner.latency(trained, { threads: trialThreadsNow(app) });
  return { test: evaluated.result, latency, predictions: { lookback: evaluated.lookback, val: evaluated.val, test: evaluated.test } };
}

const latencyOf = (l: Pick<LatencyResult, 'batch1MsPerSample' | 'batchedMsPerSample' | 'batchSize'>): NonNullable<LeaderboardRow['latency']> => ({ batch1MsPerSample: l.batch1MsPerSample, batchedMsPerSample: l.batchedMsPerSample, batchSize: l.batchSize });

export async function finaliseStudy(app: App, studyId: string): Promise<StudyResult> {
  const log = app.logger.child({ study: studyId });
  const studyRecord = await app.studies.get(studyId);
  const spec = studySpecSchema.parse(studyRecord.spec);
  const stored = await app.studies.trials(studyId);
  const trials = stored.map(toAlgorithmTrial);
  const board = leaderboard(trials);
  if (board.length === 0) {
    // Every trial failed for the same reason of the host (a full disk, the open-file limit): say that.
    const errors = stored.flatMap((t) => (t.state === 'failed' && t.error ? [t.error as { code?: string; message?: string; hint?: string }] : []));
    const host = errors[0];
    if (host?.code && isErrorCode(host.code) && /^(storage|system)\./.test(host.code) && errors.length === stored.length && errors.every((e) => e.code === host.code)) {
      throw new GenAutoMLError(host.code, `No trial of study ${studyId} completed: all ${errors.length} failed with ${host.code}. ${host.message ?? ''}`.trim(), {
        ...(host.hint ? { hint: host.hint } : {}),
      });
    }
    throw new GenAutoMLError('search.no_complete_trial', `No trial of study ${studyId} completed, so there is no model to report.`, {
      hint: 'search_status shows each trial’s error; fix the candidates or give the search more time.',
    });
  }
  const files = await preparedFiles(app, studyRecord.datasetId);
  const study: StudyFiles = { studyId, spec, files };
  // Renewed after each row while the evaluations run, so that no other coordinator takes over.
  const renewLease = (): Promise<unknown> => app.db.executeSql('UPDATE studies SET updated_at = now() WHERE id = $1', [studyId]);
  const rows: LeaderboardRow[] = [];
  const wantsEnsemble = spec.request.task === 'forecasting' && spec.request.ensemble;
  const predictions = new Map<number, MemberPredictions>();
  for (const entry of board) {
    const record = await app.studies.trial(studyId, entry.trial.number);
    const metrics = record?.metrics as { params?: number; trainTimeS?: number } | null;
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
      origin: originOf(spec, entry.arch),
    };
    if (entry.rank <= spec.request.topK) {
      try {
        // Stored once per trial, so a finaliser restarted mid-way resumes where the last one was.
        // An ensemble needs every top-K model's predictions, which are not stored: a restarted
        // finaliser asks the model again (the same deterministic predictions).
        const kept = evaluationSchema.safeParse(record?.evaluation);
        let evaluation: z.infer<typeof evaluationSchema>;
        if (kept.success && !wantsEnsemble) {
          evaluation = kept.data;
        } else {
          const fresh = await evaluateTrial(app, study, entry.trial.number, entry.trial.params);
          predictions.set(entry.trial.number, fresh.predictions);
          if (!kept.success) await app.studies.setEvaluation(studyId, entry.trial.number, { test: fresh.test, latency: fresh.latency });
          evaluation = kept.success ? kept.data : fresh;
        }
        row.test = evaluation.test.metrics;
        row.causalValLoss = evaluation.test.validation?.loss ?? null;
        row.latency = latencyOf(evaluation.latency);
      } catch (err) {
        row.error = (err as Error).message;
        log.warn('test evaluation failed', { arch: entry.arch, trial: entry.trial.number, err });
      }
    } else {
      // Below the top K: no test evaluation, but parameters and latency on every row, so that
      // the board shows the whole size / speed picture (one short sandboxed timing per row).
      try {
        row.latency = latencyOf(await app.runner.latency(await trainedTrial(app, study, entry.trial.number, entry.trial.params), { threads: trialThreadsNow(app) }));
      } catch (err) {
        row.error = `latency: ${(err as Error).message}`;
        log.warn('latency failed', { arch: entry.arch, trial: entry.trial.number, err });
      }
    }
    await renewLease();
    rows.push(row);
  }
  const ensemble = wantsEnsemble ? await ensembleRow(app, study, rows, predictions, log) : null;
  await renewLease();
  predictions.clear();
  if (ensemble?.row) rows.push(ensemble.row);
  // Selection: among the top K (preselected by host-scored validation), the causal validation
  // score decides; a row whose causal evaluation failed ranks after those that have one. The
  // test numbers never change the order.
  const ranked = [...rows].sort((a, b) => selectionKey(a, spec.request.topK) - selectionKey(b, spec.request.topK) || a.rank - b.rank);
  rows.splice(0, rows.length, ...ranked.map((r, i) => ({ ...r, rank: i + 1 })));
  const best = rows[0] as LeaderboardRow;
  const exported = await exportWinner(app, study, best, log);
  // Anomaly studies list the simple detectors after the models (same rows, never selected).
  const shown = spec.request.task === 'anomaly' ? await withAnomalyBaselines(rows, dataRefOf(spec, files), spec.request.seed).catch((err: unknown) => (log.warn('anomaly baselines failed', { err }), rows)) : rows;
  const charts = await renderStudyCharts(app, studyId, shown, { title: spec.datasetName, task: spec.request.task, columns: files.meta.columns });
  const result: StudyResult = {
    selectedBy: 'validation',
    best,
    leaderboard: shown,
    unranked: unrankedRows(spec, trials, stored),
    counts: countByState(trials),
    export: exported,
    charts,
    finishedTrials: trials.filter((t) => t.state !== 'running').length,
    ...(ensemble?.skipped ? { ensembleSkipped: ensemble.skipped } : {}),
  };
  if (!(await app.studies.transition(studyId, ['finalising'], 'done', { result }))) {
    throw new GenAutoMLError('search.state_conflict', `Study ${studyId} left the finalising state while being finalised.`, { hint: 'It was probably cancelled meanwhile.' });
  }
  return result;
}

function selectionKey(r: LeaderboardRow, topK: number): number {
  if (r.rank > topK) return Number.MAX_VALUE;
  return typeof r.causalValLoss === 'number' && Number.isFinite(r.causalValLoss) ? r.causalValLoss : Number.MAX_VALUE / 2;
}

async function exportWinner(app: App, study: StudyFiles, best: LeaderboardRow, log: App['logger']): Promise<StudyResult['export']> {
  const outDir = path.join(app.config.home, 'exports', study.studyId, best.ensemble ? 'ensemble' : `${best.arch}-trial${best.trial}`);
  const metrics = { validation: best.valLoss, test: best.test, latency: best.latency, study: study.studyId, trial: best.trial, arch: best.arch };
  try {
    const res = best.ensemble
      ? await exportEnsembleAndStore(app, study, best.ensemble, outDir, 'export', metrics)
      : best.trial !== null
        ? await exportAndStore(app, study, best.trial, best.params, outDir, 'export', metrics)
        : null;
    if (!res) throw new Error('the selected row names no trial');
    return { dir: res.dir, files: res.files, roundTripOk: res.roundTripOk, errors: res.errors };
  } catch (err) {
    log.warn('export failed', { err });
    return { dir: outDir, files: [], roundTripOk: false, errors: [(err as Error).message] };
  }
}
