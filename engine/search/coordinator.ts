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
import { studyStateOf } from './records.js';
import { buildSpace } from './space.js';
import { askTrials, nextActions } from './study.js';
import { studySpecSchema, type StudySpec } from './spec.js';
import { MAX_TRIAL_ATTEMPTS, scheduleHeartbeat, sendTrial } from './jobs.js';
import { notifyStudyEnd } from './notify.js';

/** A finaliser that has not touched its study for this long is presumed dead. */
const FINALISE_LEASE_SECONDS = 900;

export function spaceOf(spec: StudySpec) {
  return buildSpace({
    architectures: spec.candidates.map((c) => ({ name: c.name, searchSpace: c.searchSpace })),
    shared: {
      revin: spec.request.revin === 'search',
      ...(spec.request.lookbacks?.length ? { lookbacks: spec.request.lookbacks } : {}),
    },
  });
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
    const state = studyStateOf(spec, study.createdAt, trials, false);
    const now = Date.now();
    const actions = nextActions(state, now);
    const asked = askTrials(state, now, createSampler(spec.request.sampler), spaceOf(spec), spec.request.seed);
    for (const a of asked) {
      await studies.insertTrial(studyId, a.number, a.params);
      await sendTrial(app, studyId, a.number, tx);
    }
    if (asked.length > 0) log.info('trials asked', { numbers: asked.map((a) => a.number) });
    if (actions.finalise) return 'finalise' as const;
    return 'continue' as const;
  });

  if (decision === 'continue') {
    await scheduleHeartbeat(app, studyId);
    return;
  }
  if (decision !== 'finalise') return;
  if (!(await app.studies.claimFinalise(studyId, FINALISE_LEASE_SECONDS))) return;
  try {
    await finaliseStudy(app, studyId);
    await notifyStudyEnd(app, studyId, 'done');
  } catch (err) {
    const e = toGenAutoMLError(err, 'search.finalise_failed');
    log.error('finalisation failed', { code: e.code, message: e.message });
    if (await app.studies.transition(studyId, ['finalising'], 'failed', { error: e.toJSON() })) {
      await notifyStudyEnd(app, studyId, 'failed');
    }
  }
}
