/**
 * Studies and their trials. Every state change is a guarded UPDATE (only from the states it may
 * come from), so a retried or duplicated job can never count a trial twice or revive a finished one.
 */
import { GenAutoMLError } from '../engine/errors.js';
import type { Database } from './db.js';

export type StudyState = 'queued' | 'running' | 'finalising' | 'done' | 'failed' | 'cancelled';
export type TrialState = 'queued' | 'running' | 'complete' | 'pruned' | 'failed' | 'cancelled';
export const TERMINAL_STUDY: readonly StudyState[] = ['done', 'failed', 'cancelled'];
export const TERMINAL_TRIAL: readonly TrialState[] = ['complete', 'pruned', 'failed', 'cancelled'];

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
  transition(id: string, from: readonly StudyState[], to: StudyState, fields?: { result?: unknown; error?: unknown }): Promise<boolean>;
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
  /** Takes the finalisation lease: running → finalising, or a finalising study whose lease expired. */
  claimFinalise(id: string, leaseSeconds: number): Promise<boolean>;
  trials(studyId: string): Promise<TrialRecord[]>;
  trial(studyId: string, number: number): Promise<TrialRecord | undefined>;
  /** queued|running → running (attempt counted); undefined when the trial is already final. */
  claimTrial(studyId: string, number: number, worker: string): Promise<TrialRecord | undefined>;
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
    fields: { value?: number | null; metrics?: unknown; error?: unknown; intermediate?: number[] },
    attempt?: number,
  ): Promise<boolean>;
  /** Puts a running trial back to queued (graceful shutdown of its worker). */
  requeueTrial(studyId: string, number: number, attempt?: number): Promise<boolean>;
}

interface StudyRow {
  id: string;
  dataset_id: string;
  spec: Record<string, unknown>;
  state: StudyState;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}
interface TrialRow {
  study_id: string;
  number: number;
  state: TrialState;
  params: Record<string, unknown>;
  value: number | null;
  intermediate: number[];
  metrics: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  attempts: number;
  requeues: number;
  worker: string | null;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const STUDY_COLUMNS = 'id, dataset_id, spec, state, result, error, created_at, updated_at, finished_at';
const TRIAL_COLUMNS = 'study_id, number, state, params, value, intermediate, metrics, error, attempts, requeues, worker, queued_at, started_at, finished_at';

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));

function studyFromRow(r: StudyRow): StudyRecord {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    spec: r.spec,
    state: r.state,
    result: r.result,
    error: r.error,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    finishedAt: date(r.finished_at),
  };
}

function trialFromRow(r: TrialRow): TrialRecord {
  return {
    studyId: r.study_id,
    number: Number(r.number),
    state: r.state,
    params: r.params,
    value: r.value === null ? null : Number(r.value),
    intermediate: r.intermediate.map(Number),
    metrics: r.metrics,
    error: r.error,
    attempts: Number(r.attempts),
    requeues: Number(r.requeues),
    worker: r.worker,
    queuedAt: new Date(r.queued_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
  };
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** No attempt given: unfenced (the coordinator's own bookkeeping); otherwise it must still be the current one. */
const FENCE = (param: number): string => `($${param}::int IS NULL OR attempts = $${param}::int)`;

/** Works on a pool or inside a transaction (then `transaction` is absent and calls run in it). */
export function createStudyRepo(db: Pick<Database, 'executeSql'> & Partial<Pick<Database, 'transaction'>>): StudyRepo {
  const inTx = <T>(fn: (tx: Pick<Database, 'executeSql'>) => Promise<T>): Promise<T> => (db.transaction ? db.transaction(fn) : fn(db));
  const get = async (id: string): Promise<StudyRecord> => {
    const r = await db.executeSql<StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $1`, [id]);
    const row = r.rows[0];
    if (!row) throw new GenAutoMLError('study.not_found', `No study with id ${id}.`, { hint: 'search_status without an id lists recent studies.' });
    return studyFromRow(row);
  };
  return {
    async create(s) {
      const r = await db.executeSql<StudyRow>(
        `INSERT INTO studies (id, dataset_id, spec, state) VALUES ($1, $2, $3, 'queued') RETURNING ${STUDY_COLUMNS}`,
        [s.id, s.datasetId, JSON.stringify(s.spec)],
      );
      return studyFromRow(r.rows[0] as StudyRow);
    },
    get,
    async list(limit = 20) {
      const r = await db.executeSql<StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies ORDER BY created_at DESC LIMIT $1`, [limit]);
      return r.rows.map(studyFromRow);
    },
    async listOpen() {
      const r = await db.executeSql<StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies WHERE state NOT IN (${TERMINAL_STUDY.map((s) => `'${s}'`).join(', ')}) ORDER BY created_at`);
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
    async addTrial(studyId, params) {
      return inTx(async (tx) => {
        // Lock the study row so concurrent coordinators allocate distinct numbers.
        await tx.executeSql('SELECT id FROM studies WHERE id = $1 FOR UPDATE', [studyId]);
        const r = await tx.executeSql<TrialRow>(
          `INSERT INTO trials (study_id, number, state, params)
           SELECT $1, COALESCE(MAX(number) + 1, 0), 'queued', $2 FROM trials WHERE study_id = $1
           RETURNING ${TRIAL_COLUMNS}`,
          [studyId, JSON.stringify(params)],
        );
        return trialFromRow(r.rows[0] as TrialRow);
      });
    },
    async insertTrial(studyId, number, params) {
      await db.executeSql(`INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'queued', $3)`, [studyId, number, JSON.stringify(params)]);
    },
    async lock(id) {
      const r = await db.executeSql<StudyRow>(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $1 FOR UPDATE`, [id]);
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
      const r = await db.executeSql<TrialRow>(
        `SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 AND state = 'running' AND started_at < now() - make_interval(secs => $2::float8)`,
        [studyId, seconds],
      );
      return r.rows.map(trialFromRow);
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
      const r = await db.executeSql<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 ORDER BY number`, [studyId]);
      return r.rows.map(trialFromRow);
    },
    async trial(studyId, number) {
      const r = await db.executeSql<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 AND number = $2`, [studyId, number]);
      return r.rows[0] ? trialFromRow(r.rows[0]) : undefined;
    },
    async claimTrial(studyId, number, worker) {
      const r = await db.executeSql<TrialRow>(
        `UPDATE trials SET state = 'running', attempts = attempts + 1, worker = $3, started_at = now(), intermediate = '[]'
         WHERE study_id = $1 AND number = $2 AND state IN ('queued', 'running') RETURNING ${TRIAL_COLUMNS}`,
        [studyId, number, worker],
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
    async requeueTrial(studyId, number, attempt) {
      const r = await db.executeSql<{ number: number }>(
        `UPDATE trials SET state = 'queued', worker = NULL, intermediate = '[]', requeues = requeues + 1
         WHERE study_id = $1 AND number = $2 AND state = 'running' AND ${FENCE(3)} RETURNING number`,
        [studyId, number, attempt ?? null],
      );
      return r.rows.length === 1;
    },
  };
}
