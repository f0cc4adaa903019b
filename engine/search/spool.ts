/**
 * Finished work kept through a database outage. A trial's outcome (and its weights) is written in
 * one transaction; when the database cannot be reached it is kept in memory and in a spool file
 * under $GENAUTOML_HOME/spool, and written as soon as the database answers again, while the trial's
 * lease lasts. A process that dies meanwhile leaves the spool file; the next worker on this host
 * writes it at start-up. Writes stay fenced by attempt, so a spooled outcome whose trial was
 * requeued (the outage outlasted the trial's liveness window) is discarded, never counted twice.
 */
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { App } from '../app.js';
import { errorRecordSchema, toGenAutoMLError } from '../errors.js';
import { isConnectFailure } from '../../storage/queue.js';
import { createArtifactStore } from '../../storage/artifacts.js';
import { createStudyRepo } from '../../storage/studies.js';
import { rethrowOsError, writeFileDurably } from '../ops/os-errors.js';

// Raw tensors the runner client checked (engine/runner/tensors.ts): no pickle is ever stored.
const WEIGHTS_MIME = 'application/x-genautoml-tensors';

export const outcomeSchema = z.object({
  studyId: z.string(),
  number: z.number().int().min(0),
  attempt: z.number().int().min(1),
  state: z.enum(['complete', 'pruned', 'failed', 'cancelled']),
  value: z.number().nullable().optional(),
  metrics: z.unknown().optional(),
  error: errorRecordSchema.optional(),
  intermediate: z.array(z.number()).optional(),
  /** Local file with the trained weights (complete and pruned trials). */
  weightsPath: z.string().optional(),
});
export type TrialOutcome = z.infer<typeof outcomeSchema>;

export type CommitResult = 'written' | 'fenced';

export function spoolDir(app: Pick<App, 'config'>): string {
  return path.join(app.config.home, 'spool', 'trials');
}

/**
 * Writes the outcome: weights blob, its link and the trial's final state, all or nothing. Fenced
 * off (a newer attempt owns the trial) rolls back, so a late worker cannot even relink the weights.
 */
export async function commitOutcome(app: Pick<App, 'db' | 'config'>, o: TrialOutcome): Promise<CommitResult> {
  const bytes = o.weightsPath ? await readFile(o.weightsPath) : undefined;
  const fenced = Symbol('fenced');
  try {
    await app.db.transaction(async (tx) => {
      if (bytes) {
        const artifacts = createArtifactStore(tx, path.join(app.config.home, 'cache'));
        const sha = await artifacts.put(bytes, WEIGHTS_MIME);
        await artifacts.link({ ownerKind: 'trial', ownerId: `${o.studyId}/${o.number}`, name: 'weights', sha256: sha, mime: WEIGHTS_MIME });
      }
      const fields = {
        ...(o.value === undefined ? {} : { value: o.value }),
        ...(o.metrics === undefined ? {} : { metrics: o.metrics }),
        ...(o.error === undefined ? {} : { error: o.error }),
        ...(o.intermediate === undefined ? {} : { intermediate: o.intermediate }),
      };
      if (!(await createStudyRepo(tx).finishTrial(o.studyId, o.number, o.state, fields, o.attempt))) throw fenced;
    });
  } catch (err) {
    if (err === fenced) return 'fenced';
    throw err;
  }
  return 'written';
}

/** Whether a failed write is worth repeating: the database could not be reached or went away. */
export function isOutage(err: unknown): boolean {
  if (isConnectFailure(err)) return true;
  const e = toGenAutoMLError(err);
  return e.code === 'db.unreachable';
}

function spoolBase(app: Pick<App, 'config'>, o: Pick<TrialOutcome, 'studyId' | 'number' | 'attempt'>): string {
  return path.join(spoolDir(app), `${o.studyId}.${o.number}.${o.attempt}`);
}

/** Keeps the outcome (and a copy of its weights) on local disk; returns the spooled record. */
export function spool(app: Pick<App, 'config'>, o: TrialOutcome): TrialOutcome {
  const base = spoolBase(app, o);
  try {
    fs.mkdirSync(spoolDir(app), { recursive: true });
  } catch (err) {
    rethrowOsError(err, 'make the spool directory', spoolDir(app));
  }
  let kept = o;
  if (o.weightsPath) {
    writeFileDurably(`${base}.pt`, fs.readFileSync(o.weightsPath), 'spool the trial weights');
    kept = { ...o, weightsPath: `${base}.pt` };
  }
  writeFileDurably(`${base}.json`, JSON.stringify(kept), 'spool a trial outcome');
  return kept;
}

export function unspool(app: Pick<App, 'config'>, o: TrialOutcome): void {
  const base = spoolBase(app, o);
  for (const f of [`${base}.json`, `${base}.pt`]) fs.rmSync(f, { force: true });
}

/**
 * Commits the outcome, waiting out a database outage: the outcome is spooled at the first failure
 * and the write repeated (1 s, 2 s, … at most 5 s apart) until it lands, is fenced, or `deadline`
 * (the trial's lease) passes. Other errors are thrown.
 */
export async function commitOrSpool(
  app: Pick<App, 'db' | 'config' | 'logger'>,
  o: TrialOutcome,
  deadline: number,
  log: App['logger'] = app.logger,
): Promise<CommitResult | 'expired'> {
  let kept: TrialOutcome | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await commitOutcome(app, kept ?? o);
      if (kept) {
        unspool(app, kept);
        log.info('spooled trial outcome written after the database came back', { state: o.state, result: res });
      }
      return res;
    } catch (err) {
      if (!isOutage(err)) throw err;
      if (!kept) {
        kept = spool(app, o);
        log.warn('database unreachable: trial outcome spooled until it is back', { state: o.state, dir: spoolDir(app) });
      }
      if (Date.now() >= deadline) {
        log.warn('trial outcome not written before its lease ran out; left in the spool', { state: o.state });
        return 'expired';
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 1000 * 2 ** Math.min(attempt, 3))));
    }
  }
}

/** Writes the outcomes a previous process on this host spooled and could not write. */
export async function flushSpool(app: Pick<App, 'db' | 'config' | 'logger'>): Promise<number> {
  const dir = spoolDir(app);
  if (!fs.existsSync(dir)) return 0;
  let written = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    let o: TrialOutcome;
    try {
      o = outcomeSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    } catch (err) {
      app.logger.warn('unreadable spool file left alone', { file, err });
      continue;
    }
    try {
      const res = await commitOutcome(app, o);
      unspool(app, o);
      if (res === 'written') written++;
      app.logger.info('spooled trial outcome from an earlier process', { study: o.studyId, trial: o.number, result: res });
    } catch (err) {
      if (!isOutage(err)) {
        app.logger.warn('spooled trial outcome could not be written; dropped', { study: o.studyId, trial: o.number, err });
        unspool(app, o);
      }
    }
  }
  return written;
}
