/**
 * Benchmarks: the leaderboard of a finished study, or chosen registered models trained and
 * evaluated side by side under one protocol (same split, epochs, seed, optimiser, batch size).
 * Ranking is by validation loss; the test split is evaluated once per model, for the report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../app.js';
import { withOsErrors } from '../ops/os-errors.js';
import { preparedFiles } from '../datasets/store.js';
import { GenAutoMLError, toGenAutoMLError } from '../errors.js';
import type { Task } from '../runner/types.js';
import type { UnrankedRow } from './board.js';
import { withAnomalyBaselines } from './baseline-rows.js';
import { periodFromEda, withPeriod } from './period.js';
import { doneResultOf, type LeaderboardRow } from './result.js';
import { studySpecSchema } from './spec.js';
import { trialThreadsNow } from './trained.js';
import { checkWindows, windowsOf } from '../windows.js';

export interface BenchmarkTable {
  title: string;
  task: Task;
  columns: string[];
  rows: LeaderboardRow[];
  /** A study's candidates with no complete trial, and why. */
  unranked?: UnrankedRow[];
  source: { kind: 'study'; id: string } | { kind: 'models'; dataset: string };
}

export async function benchmarkStudy(app: App, studyId: string): Promise<BenchmarkTable> {
  const study = await app.studies.get(studyId);
  if (study.state !== 'done' || !study.result) {
    throw new GenAutoMLError('study.not_done', `Study ${studyId} is ${study.state}; only a finished study has a leaderboard.`, {
      hint: study.state === 'failed' || study.state === 'cancelled' ? 'Start a new search.' : 'Wait for it to finish (search_status), then benchmark it.',
    });
  }
  const spec = studySpecSchema.parse(study.spec);
  const dataset = await app.datasets.get(study.datasetId);
  const result = doneResultOf(study);
  return { title: spec.datasetName, task: spec.request.task, columns: dataset.meta.columns, rows: result.leaderboard, unranked: result.unranked ?? [], source: { kind: 'study', id: studyId } };
}

export interface BenchmarkModelsRequest {
  dataset: string;
  models: string[];
  task: Task;
  lookback?: number;
  horizon?: number;
  epochs: number;
  seed: number;
  revin: boolean;
}

export async function benchmarkModels(
  app: App,
  req: BenchmarkModelsRequest,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, message: string) => void } = {},
): Promise<BenchmarkTable> {
  const dataset = await app.datasets.get(req.dataset);
  const files = await preparedFiles(app, req.dataset);
  const dims = {
    task: req.task,
    ...windowsOf(req.task, req),
    nFeatures: files.meta.columns.length,
    ...withPeriod(periodFromEda(dataset.eda)),
  };
  // Windows the dataset cannot hold are refused before any model is trained.
  checkWindows(files.meta.splits, dims.lookback, dims.horizon);
  const data = { valuesPath: files.values, ...(files.labels ? { labelsPath: files.labels } : {}), meta: files.meta, name: dataset.name };
  const models = await Promise.all(req.models.map((m) => app.models.get(m)));
  const workRoot = await withOsErrors('make the benchmark’s work directory', app.config.home, () => mkdtemp(path.join(app.config.home, 'bench-')));
  const rows: LeaderboardRow[] = [];
  const threads = trialThreadsNow(app);
  try {
    for (const [i, m] of models.entries()) {
      options.onProgress?.(i, models.length, `training ${m.name}`);
      const model = { code: m.code, dims, revin: req.revin };
      const row: LeaderboardRow = { rank: 0, arch: m.name, trial: i, valLoss: Number.POSITIVE_INFINITY, params: {}, modelParams: null, trainTimeS: null, test: null, latency: null, error: null };
      try {
        const trained = await app.runner.train(
          { ...model, data, workDir: path.join(workRoot, String(i)), train: { epochs: req.epochs, seed: req.seed } },
          // Only the first training may be refused as busy; a benchmark once started finishes.
          { threads, admission: i === 0 ? 'call' : 'job', ...(options.signal ? { signal: options.signal } : {}) },
        );
        if (trained.bestValLoss === null || !Number.isFinite(trained.bestValLoss)) throw new GenAutoMLError('trial.no_finite_loss', 'training produced no finite validation loss', { hint: 'The model diverged.' });
        row.valLoss = trained.bestValLoss;
        row.modelParams = trained.params;
        row.trainTimeS = trained.trainTimeS;
        options.onProgress?.(i + 0.5, models.length, `evaluating ${m.name}`);
        row.test = (await app.runner.evaluate({ ...model, data, weightsPath: trained.weightsPath, anomaly: { seed: req.seed } }, { threads })).metrics;
        const lat = await app.runner.latency({ ...model, weightsPath: trained.weightsPath }, { threads });
        row.latency = { batch1MsPerSample: lat.batch1MsPerSample, batchedMsPerSample: lat.batchedMsPerSample, batchSize: lat.batchSize };
      } catch (err) {
        if (options.signal?.aborted || toGenAutoMLError(err).code === 'runner.busy') throw err;
        row.error = toGenAutoMLError(err).message;
      }
      rows.push(row);
    }
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
  options.onProgress?.(models.length, models.length, 'done');
  // Rank by validation loss only; failed models go last.
  rows.sort((a, b) => a.valLoss - b.valLoss);
  rows.forEach((r, i) => (r.rank = i + 1));
  const board = req.task === 'anomaly' ? await withAnomalyBaselines(rows, data, req.seed) : rows;
  return { title: dataset.name, task: req.task, columns: files.meta.columns, rows: board, source: { kind: 'models', dataset: req.dataset } };
}
