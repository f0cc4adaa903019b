/**
 * Studies and their trials. Every state change is a guarded UPDATE (only from the states it may
 * come from), so a retried or duplicated job can never count a trial twice or revive a finished one.
 */
import { z } from 'zod';
import { GenAutoMLError, type ErrorRecord } from '../engine/errors.js';
import type { Database } from './db.js';

export type StudyState = 'queued' | 'running' | 'finalising' | 'done' | 'failed' | 'cancelled';
export type TrialState = 'queued' | 'running' | 'complete' | 'pruned' | 'failed' | 'cancelled';
export const TERMINAL_STUDY: readonly StudyState[] = ['done', 'failed', 'cancelled'];

export interface StudyRecord<Spec = Record<string, unknown>> {
  id: string;
  datasetId: string;
  spec: Spec;
  state: StudyState;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface TrialRecord {
  studyId: string;
  number: number;
  state: TrialState;
  params: Record<string, unknown>;
  value: number | null;
  intermediate: number[];
  metrics: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  /** Claims so far (each delivery of the trial's job to a worker); also the fencing token. */
  attempts: number;
  /** Of those claims, how many ended in a graceful hand-back (the worker was shutting down). */
  requeues: number;
  /** Of those claims, how many ended in a runner killed by a signal or the OOM killer (retried). */
  retries: number;
  /** Last sign of life from the worker running it (null unless running). */
  heartbeatAt: Date | null;
  /** Test-split evaluation stored by finalisation (so a restarted finaliser resumes). */
  evaluation: Record<string, unknown> | null;
  worker: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface StudyRepo {
  create(study: { id: string; datasetId: string; spec: Record<string, unknown> }): Promise<StudyRecord>;
  get(id: string): Promise<StudyRecord>;
  list(limit?: number): Promise<StudyRecord[]>;
  /** Studies not yet in a final state (queued, running, finalising). */
  listOpen(): Promise<StudyRecord[]>;
  /** Moves the study to `to` if it is in one of `from`; returns whether it moved. */
  transition(id: string, from: readonly StudyState[], to: StudyState, fields?: { result?: unknown; error?: ErrorRecord }): Promise<boolean>;
  /** Replaces the spec of an open study (a candidate joined); call it holding the study lock. */
  updateSpec(id: string, spec: Record<string, unknown>): Promise<boolean>;
  /** done → running with a new spec (more architect rounds); false when the study is not done. */
  reopen(id: string, spec: Record<string, unknown>): Promise<boolean>;
  /** Allocates the next trial number and stores it as queued, atomically. */
  addTrial(studyId: string, params: Record<string, unknown>): Promise<TrialRecord>;
  /** Stores a trial under a number chosen by the caller (who holds the study lock). */
  insertTrial(studyId: string, number: number, params: Record<string, unknown>): Promise<void>;
  /** Row-locks the study until the surrounding transaction ends (serialises coordinators). */
  lock(id: string): Promise<StudyRecord>;
  /** Marks every queued trial cancelled; returns how many. */
  cancelQueuedTrials(studyId: string): Promise<number>;
  /** Running trials whose last claim is older than `seconds` (their worker is presumed dead). */
  staleRunningTrials(studyId: string, seconds: number): Promise<TrialRecord[]>;
  /**
   * Running trials whose worker has not written a heartbeat for `seconds` (every trial running
   * when `seconds` is null: a restarted single-process install) go back to queued, unfenced:
   * the lost worker's late writes are refused because the next claim bumps the attempt.
   */
  requeueSilentTrials(seconds: number | null, studyId?: string): Promise<{ studyId: string; number: number }[]>;
  /** Takes the finalisation lease: running → finalising, or a finalising study whose lease expired. */
  claimFinalise(id: string, leaseSeconds: number): Promise<boolean>;
  /** The finaliser's sign of life; false when the study is no longer finalising. */
  renewFinalise(id: string): Promise<boolean>;
  /** Stores a trial's test-split evaluation (idempotent: the same trial evaluates the same). */
  setEvaluation(studyId: string, number: number, evaluation: Record<string, unknown>): Promise<void>;
  trials(studyId: string): Promise<TrialRecord[]>;
  trial(studyId: string, number: number): Promise<TrialRecord | undefined>;
  /**
   * queued → running (attempt counted); a running trial only when its worker has been silent for
   * `staleSeconds` (default 0: any running trial, as a lease expiry presumes its worker dead).
   * Undefined when the trial is final or alive on another worker (a duplicate delivery).
   */
  claimTrial(studyId: string, number: number, worker: string, staleSeconds?: number): Promise<TrialRecord | undefined>;
  /** The running worker's sign of life, fenced by attempt; false when it no longer owns the trial. */
  heartbeatTrial(studyId: string, number: number, attempt: number): Promise<boolean>;
  /**
   * The writes below take the attempt that claimed the trial as a fencing token: a worker whose
   * lease ran out (presumed dead, the trial redelivered) cannot touch the newer attempt's row.
   */
  appendIntermediate(studyId: string, number: number, value: number, attempt?: number): Promise<void>;
  /** queued|running → a final state; false when it was already final (a duplicate delivery) or fenced off. */
  finishTrial(
    studyId: string,
    number: number,
    state: Exclude<TrialState, 'queued' | 'running'>,
    fields: { value?: number | null; metrics?: unknown; error?: ErrorRecord; intermediate?: number[] },
    attempt?: number,
  ): Promise<boolean>;
  /**
   * Puts a running trial back to queued: a graceful shutdown of its worker (`handback`, the
   * default) or a runner killed by something other than the model (`retry`); each is counted.
   */
  requeueTrial(studyId: string, number: number, attempt?: number, reason?: 'handback' | 'retry'): Promise<boolean>;
}

// Rows as the database hands them back, checked: jsonb columns arrive parsed, integers and
// timestamps may arrive as strings (node-postgres) or numbers and Dates (PGlite).
const jsonObject = z.record(z.string(), z.unknown());
const studyRowSchema = z.object({
  id: z.string(),
  dataset_id: z.string(),
  spec: jsonObject,
  state: z.enum(['queued', 'running', 'finalising', 'done', 'failed', 'cancelled']),
  result: jsonObject.nullable(),
  error: jsonObject.nullable(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
  finished_at: z.coerce.date().nullable(),
});
const trialRowSchema = z.object({
  study_id: z.string(),
  number: z.coerce.number().int(),
  state: z.enum(['queued', 'running', 'complete', 'pruned', 'failed', 'cancelled']),
  params: jsonObject,
  // double precision: PGlite gives numbers (NaN included), node-postgres may give strings.
  value: z.union([z.number(), z.nan(), z.string()]).transform(Number).nullable(),
  intermediate: z.array(z.coerce.number()),
  metrics: jsonObject.nullable(),
  error: jsonObject.nullable(),
  attempts: z.coerce.number().int(),
  requeues: z.coerce.number().int(),
  retries: z.coerce.number().int(),
  heartbeat_at: z.coerce.date().nullable(),
  evaluation: jsonObject.nullable(),
  worker: z.string().nullable(),
  queued_at: z.coerce.date(),
  started_at: z.coerce.date().nullable(),
  finished_at: z.coerce.date().nullable(),
});

const STUDY_COLUMNS = 'id, dataset_id, spec, state, result, error, created_at, updated_at, finished_at';
const TRIAL_COLUMNS = 'study_id, number, state, params, value, intermediate, metrics, error, attempts, requeues, retries, heartbeat_at, evaluation, worker, queued_at, started_at, finished_at';

function studyFromRow(raw: unknown): StudyRecord {
  const r = studyRowSchema.parse(raw);
  return {
    id: r.id,
    datasetId: r.dataset_id,
    spec: r.spec,
    state: r.state,
    result: r.result,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

function trialFromRow(raw: unknown): TrialRecord {
  const r = trialRowSchema.parse(raw);
  return {
    studyId: r.study_id,
    number: r.number,
    state: r.state,
    params: r.params,
    value: r.value,
    intermediate: r.intermediate,
    metrics: r.metrics,
    error: r.error,
    attempts: r.attempts,
    requeues: r.requeues,
    retries: r.retries,
    heartbeatAt: r.heartbeat_at,
    evaluation: r.evaluation,
    worker: r.worker,
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * No attempt given: unfenced (the coordinator's own bookkeeping); otherwise it must still be the
 * current one and still running (a trial requeued from a silent worker is queued under the same
 * attempt until its next claim, and its old worker must not finish it meanwhile).
 */
const FENCE = (param: number): string => `($${param}::int IS NULL OR (attempts = $${param}::int AND state = 'running'))`;

/** Works on a pool or inside a transaction (then `transaction` is absent and calls run in it). */
export function createStudyRepo(db: Pick<Database, 'executeSql'> & Partial<Pick<Database, 'transaction'>>): StudyRepo {
  const inTx = <T>(fn: (tx: Pick<Database, 'executeSql'>) => Promise<T>): Promise<T> => (db.transaction ? db.transaction(fn) : fn(db));
  const get = async (id: string): Promise<StudyRecord> => {
    const r = await db.executeSql(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $1`, [id]);
    const row = r.rows[0];
    if (!row) throw new GenAutoMLError('study.not_found', `No study with id ${id}.`, { hint: 'search_status without an id lists recent studies.' });
    return studyFromRow(row);
  };
  return {
    async create(s) {
      const r = await db.executeSql(
        `INSERT INTO studies (id, dataset_id, spec, state) VALUES ($1, $2, $3, 'queued') RETURNING ${STUDY_COLUMNS}`,
        [s.id, s.datasetId, JSON.stringify(s.spec)],
      );
      return studyFromRow(r.rows[0]);
    },
    get,
    async list(limit = 20) {
      const r = await db.executeSql(`SELECT ${STUDY_COLUMNS} FROM studies ORDER BY created_at DESC LIMIT $1`, [limit]);
      return r.rows.map(studyFromRow);
    },
    async listOpen() {
      const r = await db.executeSql(`SELECT ${STUDY_COLUMNS} FROM studies WHERE state NOT IN (${TERMINAL_STUDY.map((s) => `'${s}'`).join(', ')}) ORDER BY created_at`);
      return r.rows.map(studyFromRow);
    },
    async transition(id, from, to, fields = {}) {
      const terminal = TERMINAL_STUDY.includes(to);
      const r = await db.executeSql<{ id: string }>(
        `UPDATE studies SET state = $2, updated_at = now(),
           result = COALESCE($4::jsonb, result), error = COALESCE($5::jsonb, error),
           finished_at = CASE WHEN $6::boolean THEN now() ELSE finished_at END
         WHERE id = $1 AND state = ANY($3::text[]) RETURNING id`,
        [id, to, [...from], json(fields.result), json(fields.error), terminal],
      );
      return r.rows.length === 1;
    },
    async updateSpec(id, spec) {
      const r = await db.executeSql<{ id: string }>(
        `UPDATE studies SET spec = $2::jsonb, updated_at = now() WHERE id = $1 AND state IN ('queued', 'running') RETURNING id`,
        [id, JSON.stringify(spec)],
      );
      return r.rows.length === 1;
    },
    async reopen(id, spec) {
      const r = await db.executeSql<{ id: string }>(
        `UPDATE studies SET spec = $2::jsonb, state = 'running', finished_at = NULL, updated_at = now() WHERE id = $1 AND state = 'done' RETURNING id`,
        [id, JSON.stringify(spec)],
      );
      return r.rows.length === 1;
    },
    async addTrial(studyId, params) {
      return inTx(async (tx) => {
        // Lock the study row so concurrent coordinators allocate distinct numbers.
        await tx.executeSql('SELECT id FROM studies WHERE id = $1 FOR UPDATE', [studyId]);
        const r = await tx.executeSql(
          `INSERT INTO trials (study_id, number, state, params)
           SELECT $1, COALESCE(MAX(number) + 1, 0), 'queued', $2 FROM trials WHERE study_id = $1
           RETURNING ${TRIAL_COLUMNS}`,
          [studyId, JSON.stringify(params)],
        );
        return trialFromRow(r.rows[0]);
      });
    },
    async insertTrial(studyId, number, params) {
      await db.executeSql(`INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'queued', $3)`, [studyId, number, JSON.stringify(params)]);
    },
    async lock(id) {
      const r = await db.executeSql(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $1 FOR UPDATE`, [id]);
      const row = r.rows[0];
      if (!row) throw new GenAutoMLError('study.not_found', `No study with id ${id}.`, { hint: 'search_status without an id lists recent studies.' });
      return studyFromRow(row);
    },
    async cancelQueuedTrials(studyId) {
      const r = await db.executeSql<{ number: number }>(
        `UPDATE trials SET state = 'cancelled', finished_at = now() WHERE study_id = $1 AND state = 'queued' RETURNING number`,
        [studyId],
      );
      return r.rows.length;
    },
    async staleRunningTrials(studyId, seconds) {
      const r = await db.executeSql(
        `SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 AND state = 'running' AND started_at < now() - make_interval(secs => $2::float8)`,
        [studyId, seconds],
      );
      return r.rows.map(trialFromRow);
    },
    async requeueSilentTrials(seconds, studyId) {
      const r = await db.executeSql<{ study_id: string; number: number }>(
        `UPDATE trials SET state = 'queued', worker = NULL, intermediate = '[]', heartbeat_at = NULL
         WHERE state = 'running' AND ($2::text IS NULL OR study_id = $2)
           AND ($1::float8 IS NULL OR COALESCE(heartbeat_at, started_at) <= now() - make_interval(secs => $1::float8))
         RETURNING study_id, number`,
        [seconds, studyId ?? null],
      );
      return r.rows.map((row) => ({ studyId: row.study_id, number: Number(row.number) }));
    },
    async renewFinalise(id) {
      const r = await db.executeSql<{ id: string }>(`UPDATE studies SET updated_at = now() WHERE id = $1 AND state = 'finalising' RETURNING id`, [id]);
      return r.rows.length === 1;
    },
    async setEvaluation(studyId, number, evaluation) {
      await db.executeSql('UPDATE trials SET evaluation = $3::jsonb WHERE study_id = $1 AND number = $2', [studyId, number, JSON.stringify(evaluation)]);
    },
    async heartbeatTrial(studyId, number, attempt) {
      const r = await db.executeSql<{ number: number }>(
        `UPDATE trials SET heartbeat_at = now() WHERE study_id = $1 AND number = $2 AND state = 'running' AND attempts = $3 RETURNING number`,
        [studyId, number, attempt],
      );
      return r.rows.length === 1;
    },
    async claimFinalise(id, leaseSeconds) {
      const r = await db.executeSql<{ id: string }>(
        `UPDATE studies SET state = 'finalising', updated_at = now()
         WHERE id = $1 AND (state = 'running' OR (state = 'finalising' AND updated_at < now() - make_interval(secs => $2::float8))) RETURNING id`,
        [id, leaseSeconds],
      );
      return r.rows.length === 1;
    },
    async trials(studyId) {
      const r = await db.executeSql(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 ORDER BY number`, [studyId]);
      return r.rows.map(trialFromRow);
    },
    async trial(studyId, number) {
      const r = await db.executeSql(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 AND number = $2`, [studyId, number]);
      return r.rows[0] ? trialFromRow(r.rows[0]) : undefined;
    },
    async claimTrial(studyId, number, worker, staleSeconds = 0) {
      // clock_timestamp(), not now(): a claim right after a heartbeat in one transaction must see it as past.
      const r = await db.executeSql(
        `UPDATE trials SET state = 'running', attempts = attempts + 1, worker = $3, started_at = now(), heartbeat_at = now(), intermediate = '[]'
         WHERE study_id = $1 AND number = $2
           AND (state = 'queued' OR (state = 'running' AND COALESCE(heartbeat_at, started_at) <= clock_timestamp() - make_interval(secs => $4::float8)))
         RETURNING ${TRIAL_COLUMNS}`,
        [studyId, number, worker, staleSeconds],
      );
      return r.rows[0] ? trialFromRow(r.rows[0]) : undefined;
    },
    async appendIntermediate(studyId, number, value, attempt) {
      await db.executeSql(
        `UPDATE trials SET intermediate = intermediate || to_jsonb($3::float8)
         WHERE study_id = $1 AND number = $2 AND state = 'running' AND ${FENCE(4)}`,
        [studyId, number, value, attempt ?? null],
      );
    },
    async finishTrial(studyId, number, state, fields, attempt) {
      const r = await db.executeSql<{ number: number }>(
        `UPDATE trials SET state = $3, value = $4, metrics = $5::jsonb, error = $6::jsonb, finished_at = now(),
           intermediate = COALESCE($8::jsonb, intermediate)
         WHERE study_id = $1 AND number = $2 AND state IN ('queued', 'running') AND ${FENCE(7)} RETURNING number`,
        [studyId, number, state, fields.value ?? null, json(fields.metrics), json(fields.error), attempt ?? null, json(fields.intermediate)],
      );
      return r.rows.length === 1;
    },
    async requeueTrial(studyId, number, attempt, reason = 'handback') {
      const counter = reason === 'retry' ? 'retries = retries + 1' : 'requeues = requeues + 1';
      const r = await db.executeSql<{ number: number }>(
        `UPDATE trials SET state = 'queued', worker = NULL, intermediate = '[]', heartbeat_at = NULL, ${counter}
         WHERE study_id = $1 AND number = $2 AND state = 'running' AND ${FENCE(3)} RETURNING number`,
        [studyId, number, attempt ?? null],
      );
      return r.rows.length === 1;
    },
  };
}
