/**
 * The study job: ask → enqueue → tell → finalise, recomputed from the database every time it runs.
 * It runs under the study's row lock, so any number of coordinator jobs (one per finished trial,
 * plus a heartbeat) agree; trial rows and their jobs are written in the same transaction, so a
 * crash can neither lose a trial nor enqueue a phantom. A heartbeat keeps a study moving when
 * every process restarts and reaps trials whose worker died for good.
 */
import type { App } from '../app.js';
import { toGenAutoMLError } from '../errors.js';
import { createStudyRepo } from '../../storage/studies.js';
import { createSampler } from './samplers/index.js';
import { finaliseStudy } from './finalise.js';
import { studyStateOf, toAlgorithmTrial } from './records.js';
import { ROUND_JOB, ROUND_LOST_AFTER_S, roundDecision } from './rounds.js';
import { createRoundRepo, type RoundRecord } from '../../storage/rounds.js';
import type { Database } from '../../storage/db.js';
import { buildSpace } from './space.js';
import { askTrials, nextActions } from './study.js';
import { studySpecSchema, type StudySpec } from './spec.js';
import { MAX_TRIAL_ATTEMPTS, scheduleHeartbeat, sendTrial } from './jobs.js';
import { notifyStudyEnd } from './notify.js';
import { keepAlive, mayJudgeOthers, requeueSilentTrials } from './liveness.js';

export function spaceOf(spec: StudySpec) {
  return buildSpace({
    architectures: spec.candidates.map((c) => ({ name: c.name, searchSpace: c.searchSpace })),
    shared: {
      revin: spec.request.revin === 'search',
      ...(spec.request.lookbacks?.length ? { lookbacks: spec.request.lookbacks } : {}),
    },
  });
}

/** The study's rounds, after recording as failed any whose job has not reported for far too long. */
async function architectRounds(tx: Pick<Database, 'executeSql'>, studyId: string, now: number): Promise<RoundRecord[]> {
  const repo = createRoundRepo(tx);
  const rounds = await repo.list(studyId);
  for (const r of rounds) {
    if (r.state === 'running' && now - r.startedAt.getTime() > ROUND_LOST_AFTER_S * 1000) {
      await repo.finish(studyId, r.round, 'failed', { error: { code: 'architect.round_lost', message: 'no worker finished this architect round in time' } });
    }
  }
  return repo.list(studyId);
}

export async function coordinateStudy(app: App, studyId: string): Promise<void> {
  const log = app.logger.child({ study: studyId });
  const decision = await app.db.transaction(async (tx) => {
    const studies = createStudyRepo(tx);
    const study = await studies.lock(studyId);
    if (study.state === 'done' || study.state === 'failed' || study.state === 'cancelled') return 'closed' as const;
    if (study.state === 'finalising') return 'finalise' as const;
    const spec = studySpecSchema.parse(study.spec);
    if (study.state === 'queued') await studies.transition(studyId, ['queued'], 'running');

    // Reap trials whose worker died and whose job will not come back: every attempt's lease has
    // run out, with room for the redelivery delays.
    const lostAfter = (app.config.trialTimeoutS + app.config.trialLeaseGraceS) * (MAX_TRIAL_ATTEMPTS + 1) + app.config.queueMaintenanceS * 2;
    for (const t of await studies.staleRunningTrials(studyId, lostAfter)) {
      await studies.finishTrial(studyId, t.number, 'failed', { error: { code: 'trial.lost', message: 'no worker reported this trial before its time limit' } });
    }

    const trials = await studies.trials(studyId);
    const now = Date.now();
    const rounds = await architectRounds(tx, studyId, now);
    const round = roundDecision(spec, trials.map(toAlgorithmTrial), rounds, study.createdAt.getTime(), now, false);
    const state = studyStateOf(spec, study.createdAt, trials, false, { held: round.held });
    const actions = nextActions(state, now);
    if (round.start !== null && (await createRoundRepo(tx).start(studyId, round.start, spec.request.architect?.request ?? null))) {
      await app.queue.send('architect', { studyId, round: round.start }, { ...ROUND_JOB, tx });
      log.info('architect round started', { round: round.start });
    }
    const asked = askTrials(state, now, createSampler(spec.request.sampler), spaceOf(spec), spec.request.seed);
    for (const a of asked) {
      await studies.insertTrial(studyId, a.number, a.params);
      await sendTrial(app, studyId, a.number, tx);
    }
    if (asked.length > 0) log.info('trials asked', { numbers: asked.map((a) => a.number), coverage: asked.filter((a) => a.coverage).map((a) => a.params.arch) });
    if (actions.finalise) return 'finalise' as const;
    return 'continue' as const;
  });

  // The trials (and an architect round) were sent inside the transaction: wake this process's
  // workers now that they exist.
  app.queue.nudge('trial');
  app.queue.nudge('architect');
  if (decision === 'continue') {
    // The coordinator also looks for this study's silent trials (as every worker's reaper does),
    // once its process has itself reached the database for a whole staleness window.
    if (mayJudgeOthers(app)) await requeueSilentTrials(app, app.config.trialStaleS, studyId);
    await scheduleHeartbeat(app, studyId);
    return;
  }
  if (decision !== 'finalise') return;
  // A finaliser writes a sign of life as trials do; one silent for the staleness window is
  // presumed dead and this run takes its study over (finalisation is resumable).
  if (!(await app.studies.claimFinalise(studyId, app.config.trialStaleS))) return;
  const stopBeat = keepAlive(app, () => app.studies.renewFinalise(studyId), () => log.warn('study left the finalising state while being finalised'));
  try {
    log.info('finalising study');
    await finaliseStudy(app, studyId);
    log.info('study finalised');
    await notifyStudyEnd(app, studyId, 'done');
  } catch (err) {
    const e = toGenAutoMLError(err, 'search.finalise_failed');
    log.error('finalisation failed', { code: e.code, message: e.message });
    if (await app.studies.transition(studyId, ['finalising'], 'failed', { error: e.toJSON() })) {
      await notifyStudyEnd(app, studyId, 'failed');
    }
  } finally {
    stopBeat();
  }
}
