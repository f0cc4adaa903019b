/**
 * One trial on a worker: claim it, train the sampled architecture with its hyperparameters,
 * store each epoch's validation loss as it arrives (it drives the pruner, also for trials on
 * other hosts), then record the outcome and wake the coordinator. Any failure is recorded on
 * the trial and never stops the study.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../app.js';
import { preparedFiles, type PreparedFiles } from '../datasets/store.js';
import { GenAutoMLError, toGenAutoMLError } from '../errors.js';
import type { DataRef, ModelSpec, TrainResult } from '../runner/types.js';
import { MAX_TRIAL_ATTEMPTS, sendTrial, wakeStudy } from './jobs.js';
import { createPruner } from './pruners.js';
import { toAlgorithmTrial } from './records.js';
import { decodeParams, type Params } from './space.js';
import { studySpecSchema, type StudySpec } from './spec.js';

export interface TrialJob {
  studyId: string;
  number: number;
}

export function trialWorkDir(app: Pick<App, 'config'>, studyId: string, number: number): string {
  return path.join(app.config.home, 'trials', studyId, String(number));
}

/** What the runner builds for a trial: the candidate's code, shapes, hyperparameters and RevIN. */
export function trialModelSpec(spec: StudySpec, params: Params, nFeatures: number): { model: ModelSpec; lr: number | undefined; batchSize: number | undefined } {
  const { arch, archParams, shared } = decodeParams(params);
  const candidate = spec.candidates.find((c) => c.name === arch);
  if (!candidate) throw new GenAutoMLError('search.unknown_candidate', `Trial names architecture ${arch}, which is not a candidate of this study.`, { hint: 'This study record is damaged.' });
  const revin = spec.request.revin === 'on' ? true : spec.request.revin === 'off' ? false : shared.revin === true;
  const lookback = typeof shared.lookback === 'number' ? shared.lookback : spec.request.lookback;
  return {
    model: { code: candidate.code, dims: { task: spec.request.task, lookback, horizon: spec.request.horizon, nFeatures }, hyper: archParams, revin },
    lr: typeof shared.lr === 'number' ? shared.lr : undefined,
    batchSize: typeof shared.batch_size === 'number' ? shared.batch_size : undefined,
  };
}

/** The study's prepared dataset as the runner reads it. */
export function dataRefOf(spec: StudySpec, files: PreparedFiles): DataRef {
  return { valuesPath: files.values, ...(files.labels ? { labelsPath: files.labels } : {}), meta: files.meta, name: spec.datasetName };
}

export async function runTrial(app: App, job: TrialJob, options: { worker?: string; signal?: AbortSignal } = {}): Promise<void> {
  const log = app.logger.child({ study: job.studyId, trial: job.number });
  const study = await app.studies.get(job.studyId);
  const worker = options.worker ?? `${os.hostname()}:${process.pid}`;
  if (study.state === 'cancelled' || study.state === 'done' || study.state === 'failed') {
    await app.studies.finishTrial(job.studyId, job.number, 'cancelled', { error: { code: 'study.closed', message: `study is ${study.state}` } });
    return;
  }
  const claimed = await app.studies.claimTrial(job.studyId, job.number, worker);
  if (!claimed) return; // already final: a duplicate delivery
  const wake = (): Promise<unknown> => wakeStudy(app, job.studyId, 'trial_done');
  // Only workers lost without a word use up attempts; a graceful hand-back on shutdown does not.
  const lost = claimed.attempts - 1 - claimed.requeues;
  if (lost >= MAX_TRIAL_ATTEMPTS) {
    await app.studies.finishTrial(job.studyId, job.number, 'failed', {
      error: { code: 'trial.lost', message: `the trial's worker was lost ${lost} times before it finished`, hint: 'Check the workers’ logs and memory limits.' },
    });
    await wake();
    return;
  }

  const spec = studySpecSchema.parse(study.spec);
  const pruner = createPruner(spec.request.pruner);
  let outcome: { state: 'complete' | 'pruned' | 'failed' | 'cancelled'; value?: number | null; metrics?: unknown; error?: unknown; intermediate?: number[] };
  try {
    const files = await preparedFiles(app, study.datasetId);
    const m = trialModelSpec(spec, claimed.params as Params, files.meta.columns.length);
    const deadline = spec.request.maxMinutes === undefined ? Infinity : study.createdAt.getTime() + spec.request.maxMinutes * 60_000;
    const remainingS = (deadline - Date.now()) / 1000;
    const budgets = [spec.request.trialMinutes === undefined ? Infinity : spec.request.trialMinutes * 60, remainingS].filter(Number.isFinite);
    const timeBudgetS = budgets.length > 0 ? Math.max(1, Math.min(...budgets)) : undefined;
    let epochWork: Promise<void> = Promise.resolve();
    const run = app.runner.train(
      {
        ...m.model,
        data: dataRefOf(spec, files),
        workDir: trialWorkDir(app, job.studyId, job.number),
        train: {
          epochs: spec.request.epochs,
          patience: spec.request.patience,
          seed: spec.request.seed + job.number,
          ...(m.lr === undefined ? {} : { lr: m.lr }),
          ...(m.batchSize === undefined ? {} : { batchSize: m.batchSize }),
          ...(spec.request.maxTrainWindows === undefined ? {} : { maxTrainWindows: spec.request.maxTrainWindows }),
          ...(timeBudgetS === undefined ? {} : { timeBudgetS }),
        },
      },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onEvent: (e) => {
          if (e.event !== 'epoch' || e.val_loss === null) return;
          const value = e.val_loss;
          // Serialised through a chain so the stored curve keeps epoch order.
          epochWork = epochWork.then(async () => {
            await app.studies.appendIntermediate(job.studyId, job.number, value, claimed.attempts);
            const current = await app.studies.get(job.studyId);
            if (current.state === 'cancelled') {
              run.cancel();
              return;
            }
            const others = (await app.studies.trials(job.studyId)).map(toAlgorithmTrial);
            const me = others.find((t) => t.number === job.number);
            if (me && pruner.shouldPrune({ number: job.number, intermediate: me.intermediate }, others)) {
              log.info('pruning trial', { epoch: e.epoch, value });
              run.stop();
            }
          }).catch((err) => log.warn('epoch bookkeeping failed', { err }));
        },
      },
    );
    let result: TrainResult;
    try {
      result = await run;
    } finally {
      await epochWork;
    }
    outcome = await recordWeights(app, job, result, spec.request.pruner !== 'none');
  } catch (err) {
    const e = toGenAutoMLError(err, 'trial.failed');
    const cancelled = e.code === 'runner.cancelled' && (await app.studies.get(job.studyId)).state === 'cancelled';
    if (e.code === 'runner.cancelled' && !cancelled && options.signal?.aborted) {
      // This worker is shutting down: put the trial back for another worker.
      if (await app.studies.requeueTrial(job.studyId, job.number, claimed.attempts)) await sendTrial(app, job.studyId, job.number);
      log.info('trial requeued on shutdown');
      return;
    }
    outcome = cancelled ? { state: 'cancelled', error: { code: 'study.cancelled', message: 'the study was cancelled' } } : { state: 'failed', error: e.toJSON() };
    if (!cancelled) log.warn('trial failed', { code: e.code, message: e.message });
  }
  const { state, ...fields } = outcome;
  if (!(await app.studies.finishTrial(job.studyId, job.number, state, fields, claimed.attempts))) {
    // Fenced off: this worker's lease ran out and the trial was redelivered; the newer attempt owns it.
    log.warn('trial outcome discarded: a newer attempt owns this trial', { attempt: claimed.attempts, state });
    return;
  }
  await wake();
}

async function recordWeights(
  app: App,
  job: TrialJob,
  result: TrainResult,
  pruning: boolean,
): Promise<{ state: 'complete' | 'pruned' | 'failed'; value?: number | null; metrics?: unknown; error?: unknown; intermediate?: number[] }> {
  const value = result.bestValLoss;
  if (value === null || !Number.isFinite(value)) {
    return { state: 'failed', error: { code: 'trial.no_finite_loss', message: 'training produced no finite validation loss (NaN or Inf)', hint: 'The model diverged; a lower learning rate or RevIN may help.' } };
  }
  const sha = await app.artifacts.put(await readFile(result.weightsPath), 'application/x-pytorch-state-dict');
  await app.artifacts.link({ ownerKind: 'trial', ownerId: `${job.studyId}/${job.number}`, name: 'weights', sha256: sha, mime: 'application/x-pytorch-state-dict' });
  const metrics = {
    params: result.params,
    epochs: result.epochs,
    bestEpoch: result.bestEpoch,
    trainTimeS: result.trainTimeS,
    samplesPerS: result.samplesPerS,
    stopReason: result.stopReason,
    projection: result.projection,
    device: result.device,
    sandboxed: result.sandboxed,
  };
  // The runner's own curve replaces the one stored epoch by epoch, which misses any epoch whose
  // write failed (a database outage mid-trial): the final record is complete.
  const intermediate = result.history.flatMap((h) => (h.val_loss === null ? [] : [h.val_loss]));
  // A pruned trial keeps its best value: it ranks like Optuna's pruned trials (see samplers).
  return { state: pruning && result.stopReason === 'pruned' ? 'pruned' : 'complete', value, metrics, intermediate };
}
