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
import { MAX_TRIAL_ATTEMPTS } from './trial.js';
import { notifyStudyEnd } from './notify.js';

export const HEARTBEAT_SECONDS = 20;
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

export function trialJobOptions(app: Pick<App, 'config'>) {
  // A job outliving the trial limit means its worker died: pg-boss then redelivers it.
  return { retryLimit: MAX_TRIAL_ATTEMPTS, retryDelaySeconds: 5, expireInSeconds: app.config.trialTimeoutS + 300 };
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

    // Reap trials whose worker died and whose job will not come back.
    const lostAfter = app.config.trialTimeoutS * (MAX_TRIAL_ATTEMPTS + 1) + 900;
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
      await app.queue.send('trial', { studyId, number: a.number }, { ...trialJobOptions(app), tx });
    }
    if (asked.length > 0) log.info('trials asked', { numbers: asked.map((a) => a.number) });
    if (actions.finalise) return 'finalise' as const;
    return 'continue' as const;
  });

  if (decision === 'continue') {
    await app.queue.send('study', { studyId, reason: 'resume' }, { startAfterSeconds: HEARTBEAT_SECONDS, singletonSeconds: HEARTBEAT_SECONDS });
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
