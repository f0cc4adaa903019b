/**
 * Liveness, not just leases. A worker writes a heartbeat on every trial it runs (and a finaliser on
 * its study) every GENAUTOML_TRIAL_HEARTBEAT_S; every live worker looks for trials silent for
 * GENAUTOML_TRIAL_STALE_S and puts them back in the queue, so a dead or frozen worker's trial runs
 * again within about half a minute instead of when its queue lease (half an hour) runs out.
 * Fencing stays as it was: the next claim bumps the trial's attempt, so a frozen worker that wakes
 * up can no longer write to it.
 */
import type { App } from '../app.js';
import { createStudyRepo } from '../../storage/studies.js';
import { scheduleHeartbeat, sendTrial, wakeStudy } from './jobs.js';

type LiveApp = Pick<App, 'db' | 'config' | 'logger' | 'queue' | 'studies'>;

/**
 * Since when this process has reached the database without a failure, per database handle. A
 * process that has just regained the database (its own outage, or everyone's) must not take the
 * heartbeats missed meanwhile for deaths: it judges others only after a whole staleness window of
 * its own, by which time every live worker has written a heartbeat again.
 */
const reachableSince = new WeakMap<object, number | null>();

function noteReachable(app: LiveApp, ok: boolean): void {
  if (!ok) reachableSince.set(app.db, null);
  else if ((reachableSince.get(app.db) ?? null) === null) reachableSince.set(app.db, Date.now());
}

/** Whether this process has reached the database for a whole staleness window. */
export function mayJudgeOthers(app: LiveApp): boolean {
  const since = reachableSince.get(app.db) ?? null;
  return since !== null && Date.now() - since >= app.config.trialStaleS * 1000;
}

/**
 * Requeues the trials silent for `seconds` (all running trials when null) and sends each a new
 * job, in one transaction: a requeued trial always has a job. Returns how many.
 */
export async function requeueSilentTrials(app: LiveApp, seconds: number | null, studyId?: string): Promise<number> {
  const moved = await app.db.transaction(async (tx) => {
    const found = await createStudyRepo(tx).requeueSilentTrials(seconds, studyId);
    for (const t of found) await sendTrial(app, t.studyId, t.number, tx);
    return found;
  });
  for (const t of moved) app.logger.warn('requeued a trial whose worker went silent', { study: t.studyId, trial: t.number, silentForS: seconds });
  return moved.length;
}

/** Finalising studies whose finaliser went silent: a coordinator run soon takes the lease over. */
async function wakeSilentFinalisers(app: LiveApp): Promise<void> {
  const r = await app.db.executeSql<{ id: string }>(
    `SELECT id FROM studies WHERE state = 'finalising' AND updated_at < now() - make_interval(secs => $1::float8)`,
    [app.config.trialStaleS],
  );
  for (const row of r.rows) await scheduleHeartbeat(app, row.id, 0);
}

/** One look for silent work; a failure to reach the database is noted and judged by the next look. */
export async function reapOnce(app: LiveApp): Promise<void> {
  try {
    if (!mayJudgeOthers(app)) {
      await app.db.executeSql('SELECT 1');
      noteReachable(app, true);
      return;
    }
    await requeueSilentTrials(app, app.config.trialStaleS);
    await wakeSilentFinalisers(app);
    noteReachable(app, true);
  } catch (err) {
    noteReachable(app, false);
    app.logger.debug('liveness check failed', { err });
  }
}

/** Looks for silent trials and finalisers every heartbeat period until `signal` aborts. */
export function startReaper(app: LiveApp, signal?: AbortSignal): void {
  noteReachable(app, true);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void reapOnce(app).finally(() => (running = false));
  }, app.config.trialHeartbeatS * 1000);
  timer.unref();
  signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/**
 * Writes the sign of life of a running trial (or finaliser) every heartbeat period. `beat`
 * answers whether this process still owns the work; when it does not (the trial was requeued from
 * under it), `onLost` runs once. Returns the stop function.
 */
export function keepAlive(app: LiveApp, beat: () => Promise<boolean>, onLost: () => void): () => void {
  let lost = false;
  const timer = setInterval(() => {
    beat().then(
      (owned) => {
        noteReachable(app, true);
        if (!owned && !lost) {
          lost = true;
          onLost();
        }
      },
      (err: unknown) => {
        noteReachable(app, false);
        app.logger.debug('heartbeat failed', { err });
      },
    );
  }, app.config.trialHeartbeatS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

const reclaimed = new WeakSet<object>();

/**
 * The embedded database serves one process, so at its start every running trial and every
 * finalising study is an orphan of the previous process: all are taken back at once (no waiting
 * for a heartbeat to go stale) and every open study's coordinator runs now.
 */
export async function reclaimOrphans(app: LiveApp): Promise<void> {
  if (app.db.kind !== 'pglite' || reclaimed.has(app.db)) return;
  reclaimed.add(app.db);
  const trials = await requeueSilentTrials(app, null);
  const finalising = await app.db.executeSql<{ id: string }>(
    `UPDATE studies SET updated_at = now() - interval '1 day' WHERE state = 'finalising' RETURNING id`,
  );
  for (const study of await app.studies.listOpen()) await wakeStudy(app, study.id, 'resume');
  if (trials > 0 || finalising.rows.length > 0) app.logger.info('took back the work of the previous process', { trials, finalising: finalising.rows.length });
}
