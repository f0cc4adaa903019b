/** Tool tasks (MCP Tasks): the durable record a task-augmented tools/call is polled through. */
import { z } from 'zod';
import type { Database } from './db.js';

export const TOOL_TASK_STATUSES = ['working', 'completed', 'failed', 'cancelled'] as const;
export type ToolTaskStatus = (typeof TOOL_TASK_STATUSES)[number];

const rowSchema = z.object({
  id: z.string(),
  tool: z.string(),
  status: z.enum(TOOL_TASK_STATUSES),
  status_message: z.string().nullable(),
  study_id: z.string().nullable(),
  run_id: z.string().nullable(),
  owner: z.string(),
  session_id: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  ttl_ms: z.coerce.number().int().nullable(),
  poll_interval_ms: z.coerce.number().int(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
});

export interface ToolTaskRecord {
  id: string;
  tool: string;
  status: ToolTaskStatus;
  statusMessage: string | null;
  /** The study a search task follows. */
  studyId: string | null;
  /** The in-process run (tools/runs.ts) of any other tool. */
  runId: string | null;
  /** The process that runs it (a run does not outlive its process; a study does). */
  owner: string;
  sessionId: string | null;
  /** The CallToolResult, once terminal. */
  result: Record<string, unknown> | null;
  ttlMs: number | null;
  pollIntervalMs: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ToolTaskRepo {
  insert(rec: Omit<ToolTaskRecord, 'createdAt' | 'updatedAt' | 'result' | 'statusMessage' | 'status'>): Promise<ToolTaskRecord>;
  find(id: string): Promise<ToolTaskRecord | undefined>;
  /** Sets the run or study once known. */
  link(id: string, link: { runId?: string; studyId?: string }): Promise<void>;
  /** Moves a working task to a terminal status; false when it was already terminal (first writer wins). */
  finish(id: string, status: Exclude<ToolTaskStatus, 'working'>, result: Record<string, unknown>, message?: string): Promise<boolean>;
  /** Newest first, `limit` from `offset`; expired terminal tasks are deleted first. */
  list(offset: number, limit: number): Promise<ToolTaskRecord[]>;
}

const COLUMNS = 'id, tool, status, status_message, study_id, run_id, owner, session_id, result, ttl_ms, poll_interval_ms, created_at, updated_at';

function fromRow(raw: unknown): ToolTaskRecord {
  const r = rowSchema.parse(raw);
  return {
    id: r.id,
    tool: r.tool,
    status: r.status,
    statusMessage: r.status_message,
    studyId: r.study_id,
    runId: r.run_id,
    owner: r.owner,
    sessionId: r.session_id,
    result: r.result,
    ttlMs: r.ttl_ms,
    pollIntervalMs: r.poll_interval_ms,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createToolTaskRepo(db: Pick<Database, 'executeSql'>): ToolTaskRepo {
  const find = async (id: string): Promise<ToolTaskRecord | undefined> => {
    const r = await db.executeSql(`SELECT ${COLUMNS} FROM tool_tasks WHERE id = $1`, [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  };
  return {
    async insert(rec) {
      const r = await db.executeSql(
        `INSERT INTO tool_tasks (id, tool, status, study_id, run_id, owner, session_id, ttl_ms, poll_interval_ms)
         VALUES ($1, $2, 'working', $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [rec.id, rec.tool, rec.studyId, rec.runId, rec.owner, rec.sessionId, rec.ttlMs, rec.pollIntervalMs],
      );
      return fromRow(r.rows[0]);
    },
    find,
    async link(id, link) {
      await db.executeSql('UPDATE tool_tasks SET run_id = COALESCE($2, run_id), study_id = COALESCE($3, study_id), updated_at = now() WHERE id = $1', [
        id,
        link.runId ?? null,
        link.studyId ?? null,
      ]);
    },
    async finish(id, status, result, message) {
      const r = await db.executeSql(
        `UPDATE tool_tasks SET status = $2, result = $3::jsonb, status_message = $4, updated_at = now() WHERE id = $1 AND status = 'working' RETURNING id`,
        [id, status, JSON.stringify(result), message ?? null],
      );
      return r.rows.length > 0;
    },
    async list(offset, limit) {
      await db.executeSql(`DELETE FROM tool_tasks WHERE status <> 'working' AND ttl_ms IS NOT NULL AND updated_at + ttl_ms * interval '1 millisecond' < now()`);
      const r = await db.executeSql(`SELECT ${COLUMNS} FROM tool_tasks ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, [limit, offset]);
      return r.rows.map(fromRow);
    },
  };
}
