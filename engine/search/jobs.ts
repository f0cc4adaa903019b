/**
 * How the search talks to the queue: one place for the options of study and trial jobs, so every
 * sender agrees on retries, leases and the heartbeat.
 */
import type { App } from '../app.js';
import type { Database } from '../../storage/db.js';

/** Attempts before a trial whose worker keeps dying is recorded as failed. */
export const MAX_TRIAL_ATTEMPTS = 2;

/** A running study's coordinator runs at least this often, whatever else happens. */
export const HEARTBEAT_SECONDS = 20;

type StudyReason = 'start' | 'trial_done' | 'resume' | 'cancel';
type Tx = Pick<Database, 'executeSql'>;

/**
 * Study jobs retry for minutes with backoff (2 s, 4 s, … about 35 minutes in all): a database
 * outage while a coordinator runs must not break the chain of coordinator runs that drives a study.
 */
const STUDY_RETRY = { retryLimit: 10, retryDelaySeconds: 2 };

/** Runs the study's coordinator now (a start, a finished trial, a cancel). */
export function wakeStudy(app: Pick<App, 'queue'>, studyId: string, reason: StudyReason, tx?: Tx): Promise<string | null> {
  return app.queue.send('study', { studyId, reason }, { ...STUDY_RETRY, ...(tx ? { tx } : {}) });
}

/**
 * Schedules the study's next heartbeat: at most one per study in each window (keyed by study, so
 * two studies never throttle each other), which also keeps a study moving after every process restarted.
 */
export function scheduleHeartbeat(app: Pick<App, 'queue'>, studyId: string, inSeconds = HEARTBEAT_SECONDS): Promise<string | null> {
  return app.queue.send('study', { studyId, reason: 'resume' }, { ...STUDY_RETRY, startAfterSeconds: inSeconds, singletonKey: `heartbeat:${studyId}`, singletonSeconds: HEARTBEAT_SECONDS });
}

/** A trial job outliving its lease means its worker died: the queue's maintenance then redelivers it. */
export function trialJobOptions(app: Pick<App, 'config'>) {
  return { retryLimit: MAX_TRIAL_ATTEMPTS, retryDelaySeconds: 5, expireInSeconds: app.config.trialTimeoutS + app.config.trialLeaseGraceS };
}

export function sendTrial(app: Pick<App, 'queue' | 'config'>, studyId: string, number: number, tx?: Tx): Promise<string | null> {
  return app.queue.send('trial', { studyId, number }, { ...trialJobOptions(app), ...(tx ? { tx } : {}) });
}
