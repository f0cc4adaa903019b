/**
 * One trial on a worker: claim it, train the sampled architecture with its hyperparameters,
 * store each epoch's validation loss as it arrives (it drives the pruner, also for trials on
 * other hosts), then record the outcome and wake the coordinator. Any failure is recorded on
 * the trial and never stops the study.
 */
import os from 'node:os';
import path from 'node:path';
import type { App } from '../app.js';
import { preparedFiles, type PreparedFiles } from '../datasets/store.js';
import { GenAutoMLError, toGenAutoMLError } from '../errors.js';
import { TrialThreads } from '../runner/threads.js';
import type { TrainRun } from '../runner/client.js';
import type { DataRef, ModelSpec, TrainResult } from '../runner/types.js';
import { isTransientRunnerFailure } from './failures.js';
import { MAX_TRIAL_ATTEMPTS, sendTrial, wakeStudy } from './jobs.js';
import { keepAlive } from './liveness.js';
import { createPruner } from './pruners.js';
import { toAlgorithmTrial } from './records.js';
import { decodeParams, type Params } from './space.js';
import { withPeriod } from './period.js';
import { commitOrSpool, type TrialOutcome } from './spool.js';
import { studySpecSchema, type StudySpec } from './spec.js';
import type { StudyRecord, TrialRecord } from '../../storage/studies.js';

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
    model: { code: candidate.code, dims: { task: spec.request.task, lookback, horizon: spec.request.horizon, nFeatures, ...withPeriod(spec.period) }, hyper: archParams, revin },
    lr: typeof shared.lr === 'number' ? shared.lr : undefined,
    batchSize: typeof shared.batch_size === 'number' ? shared.batch_size : undefined,
  };
}

/** The study's prepared dataset as the runner reads it. */
export function dataRefOf(spec: StudySpec, files: PreparedFiles): DataRef {
  return { valuesPath: files.values, ...(files.labels ? { labelsPath: files.labels } : {}), meta: files.meta, name: spec.datasetName };
}

export async function runTrial(app: App, job: TrialJob, options: { worker?: string; signal?: AbortSignal; threads?: TrialThreads } = {}): Promise<void> {
  const log = app.logger.child({ study: job.studyId, trial: job.number });
  const study = await app.studies.get(job.studyId);
  const worker = options.worker ?? `${os.hostname()}:${process.pid}`;
  if (study.state === 'cancelled' || study.state === 'done' || study.state === 'failed') {
    await app.studies.finishTrial(job.studyId, job.number, 'cancelled', { error: { code: 'search.study_closed', message: `study is ${study.state}` } });
    return;
  }
  // A running trial is taken over only when its worker has gone silent: a second job for it (the
  // old one's lease ran out after a requeue) finds it alive and leaves it alone.
  const claimed = await app.studies.claimTrial(job.studyId, job.number, worker, app.config.trialStaleS);
  if (!claimed) return; // final, or alive on another worker: a duplicate delivery
  const leaseEnds = Date.now() + (app.config.trialTimeoutS + app.config.trialLeaseGraceS) * 1000;
  const wake = (): Promise<unknown> => wakeStudy(app, job.studyId, 'trial_done');
  // Only workers lost without a word use up attempts; a graceful hand-back on shutdown and a
  // retried runner death do not.
  const lost = claimed.attempts - 1 - claimed.requeues - claimed.retries;
  if (lost >= MAX_TRIAL_ATTEMPTS) {
    await app.studies.finishTrial(job.studyId, job.number, 'failed', {
      error: { code: 'trial.lost', message: `the trial's worker was lost ${lost} times before it finished`, hint: 'Check the workers’ logs and memory limits.' },
    });
    await wake();
    return;
  }

  const spec = studySpecSchema.parse(study.spec);
  const pruner = createPruner(spec.request.pruner);
  log.info('trial started', { attempt: claimed.attempts, worker });
  // The sign of life; if the trial was requeued from under this worker (it was silent too long,
  // say behind a network partition), the newer attempt owns it and this run stops.
  let run: TrainRun | undefined;
  let disowned = false;
  const stopBeat = keepAlive(
    app,
    () => app.studies.heartbeatTrial(job.studyId, job.number, claimed.attempts),
    () => {
      disowned = true;
      log.warn('trial was taken over by another worker; stopping this run', { attempt: claimed.attempts });
      run?.cancel();
    },
  );
  try {
    const outcome = await trainClaimed(app, job, { study, spec, pruner, claimed, log, signal: options.signal, threads: options.threads, onRun: (r) => (run = r), disowned: () => disowned });
    if (outcome === 'handled' || disowned) return;
    // Written with its weights in one transaction; through a database outage it waits in the
    // spool, the heartbeat still beating so that nobody takes the trial over meanwhile.
    const res = await commitOrSpool(app, { ...outcome, studyId: job.studyId, number: job.number, attempt: claimed.attempts }, leaseEnds, log);
    if (res === 'fenced') {
      // Fenced off: this worker was presumed dead and the trial requeued; the newer attempt owns it.
      log.warn('trial outcome discarded: a newer attempt owns this trial', { attempt: claimed.attempts, state: outcome.state });
      return;
    }
    if (res === 'written') await wake();
  } finally {
    stopBeat();
  }
}

interface ClaimedTrial {
  study: StudyRecord;
  spec: StudySpec;
  pruner: ReturnType<typeof createPruner>;
  claimed: TrialRecord;
  log: App['logger'];
  signal: AbortSignal | undefined;
  onRun: (run: TrainRun) => void;
  disowned: () => boolean;
  threads: TrialThreads | undefined;
}

/** Trains a claimed trial; its outcome, or 'handled' when it was requeued or taken over instead. */
async function trainClaimed(app: App, job: TrialJob, ctx: ClaimedTrial): Promise<Outcome | 'handled'> {
  const { study, spec, pruner, claimed, log, signal } = ctx;

  let outcome: Outcome;
  try {
    const files = await preparedFiles(app, study.datasetId);
    const m = trialModelSpec(spec, claimed.params as Params, files.meta.columns.length);
    const deadline = spec.request.maxMinutes === undefined ? Infinity : study.createdAt.getTime() + spec.request.maxMinutes * 60_000;
    const remainingS = (deadline - Date.now()) / 1000;
    const budgets = [spec.request.trialMinutes === undefined ? Infinity : spec.request.trialMinutes * 60, remainingS].filter(Number.isFinite);
    const timeBudgetS = budgets.length > 0 ? Math.max(1, Math.min(...budgets)) : undefined;
    let epochWork: Promise<void> = Promise.resolve();
    const pruning = spec.request.pruner !== 'none';
    const lease = (ctx.threads ?? new TrialThreads(app.config.workerConcurrency, app.config.trialThreads)).acquire();
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
        threads: lease.threads,
        ...(signal ? { signal } : {}),
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
            // Without a pruner there is nothing to compare with: no read of every trial per epoch.
            if (!pruning) return;
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
    ctx.onRun(run);
    let result: TrainResult;
    try {
      result = await run;
    } finally {
      lease.release();
      await epochWork;
    }
    outcome = recordWeights(result, pruning);
  } catch (err) {
    const e = toGenAutoMLError(err, 'trial.failed');
    if (ctx.disowned()) return 'handled';
    if (isTransientRunnerFailure(e) && claimed.retries < app.config.runnerRetries && !signal?.aborted) {
      // Killed from outside (a signal, the OOM killer): the model is not at fault; run it again,
      // on whichever worker is free, a bounded number of times.
      if (await app.studies.requeueTrial(job.studyId, job.number, claimed.attempts, 'retry')) await sendTrial(app, job.studyId, job.number);
      log.warn('runner killed from outside; trial retried', { code: e.code, signal: e.details?.signal, retry: claimed.retries + 1, of: app.config.runnerRetries });
      return 'handled';
    }
    const cancelled = e.code === 'runner.cancelled' && (await app.studies.get(job.studyId)).state === 'cancelled';
    if (e.code === 'runner.cancelled' && !cancelled && signal?.aborted) {
      // This worker is shutting down: put the trial back for another worker.
      if (await app.studies.requeueTrial(job.studyId, job.number, claimed.attempts)) await sendTrial(app, job.studyId, job.number);
      log.info('trial requeued on shutdown');
      return 'handled';
    }
    outcome = cancelled ? { state: 'cancelled', error: { code: 'study.cancelled', message: 'the study was cancelled' } } : { state: 'failed', error: e.toJSON() };
    if (!cancelled) log.warn('trial failed', { code: e.code, message: e.message });
  }
  return outcome;
}

type Outcome = Omit<TrialOutcome, 'studyId' | 'number' | 'attempt'>;

function recordWeights(result: TrainResult, pruning: boolean): Outcome {
  const value = result.bestValLoss;
  if (value === null || !Number.isFinite(value)) {
    return { state: 'failed', error: { code: 'trial.no_finite_loss', message: 'training produced no finite validation loss (NaN or Inf)', hint: 'The model diverged; a lower learning rate or RevIN may help.' } };
  }
  const metrics = {
    params: result.params,
    epochs: result.epochs,
    bestEpoch: result.bestEpoch,
    trainTimeS: result.trainTimeS,
    loopS: result.loopS ?? null,
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
  return { state: pruning && result.stopReason === 'pruned' ? 'pruned' : 'complete', value, metrics, intermediate, weightsPath: result.weightsPath };
}
