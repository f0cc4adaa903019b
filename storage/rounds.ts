/**
 * Architect rounds of a study (migration 003). A round is started by the coordinator under the
 * study's lock and finished once by the architect job; every change is a guarded UPDATE, so a
 * redelivered job cannot finish a round twice.
 */
import { z } from 'zod';
import type { ErrorRecord } from '../engine/errors.js';
import type { Database } from './db.js';

export type RoundState = 'running' | 'done' | 'failed';

const rowSchema = z.object({
  study_id: z.string(),
  round: z.coerce.number().int(),
  state: z.enum(['running', 'done', 'failed']),
  request: z.string().nullable(),
  added: z.array(z.string()),
  rejected: z.array(z.object({ name: z.string().nullable(), reason: z.string() })),
  error: z.record(z.string(), z.unknown()).nullable(),
  started_at: z.coerce.date(),
  finished_at: z.coerce.date().nullable(),
});

export interface RoundRecord {
  studyId: string;
  round: number;
  state: RoundState;
  request: string | null;
  /** Names of the models the round added to the study. */
  added: string[];
  /** Proposals turned away (invalid after repairs, a duplicate of a model already tried, …). */
  rejected: { name: string | null; reason: string }[];
  error: Record<string, unknown> | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = 'study_id, round, state, request, added, rejected, error, started_at, finished_at';

function fromRow(raw: unknown): RoundRecord {
  const r = rowSchema.parse(raw);
  return { studyId: r.study_id, round: r.round, state: r.state, request: r.request, added: r.added, rejected: r.rejected, error: r.error, startedAt: r.started_at, finishedAt: r.finished_at };
}

export interface RoundRepo {
  list(studyId: string): Promise<RoundRecord[]>;
  get(studyId: string, round: number): Promise<RoundRecord | undefined>;
  /** Inserts the round as running; false when it exists already. */
  start(studyId: string, round: number, request: string | null): Promise<boolean>;
  /** running → done|failed, once. */
  finish(studyId: string, round: number, state: Exclude<RoundState, 'running'>, fields: { added?: string[]; rejected?: RoundRecord['rejected']; error?: ErrorRecord }): Promise<boolean>;
}

export function createRoundRepo(db: Pick<Database, 'executeSql'>): RoundRepo {
  return {
    async list(studyId) {
      const r = await db.executeSql(`SELECT ${COLUMNS} FROM study_rounds WHERE study_id = $1 ORDER BY round`, [studyId]);
      return r.rows.map(fromRow);
    },
    async get(studyId, round) {
      const r = await db.executeSql(`SELECT ${COLUMNS} FROM study_rounds WHERE study_id = $1 AND round = $2`, [studyId, round]);
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    },
    async start(studyId, round, request) {
      const r = await db.executeSql(`INSERT INTO study_rounds (study_id, round, state, request) VALUES ($1, $2, 'running', $3) ON CONFLICT DO NOTHING RETURNING round`, [studyId, round, request]);
      return r.rows.length === 1;
    },
    async finish(studyId, round, state, fields) {
      const r = await db.executeSql(
        `UPDATE study_rounds SET state = $3, added = $4::jsonb, rejected = $5::jsonb, error = $6::jsonb, finished_at = now()
         WHERE study_id = $1 AND round = $2 AND state = 'running' RETURNING round`,
        [studyId, round, state, JSON.stringify(fields.added ?? []), JSON.stringify(fields.rejected ?? []), fields.error === undefined ? null : JSON.stringify(fields.error)],
      );
      return r.rows.length === 1;
    },
  };
}
