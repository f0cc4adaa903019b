import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import type { Database } from './db.js';

export type ModelKind = 'baseline' | 'generated' | 'user';

export interface ModelRecord {
  id: string;
  name: string;
  kind: ModelKind;
  code: string;
  codeSha: string;
  request: string | null;
  provider: string | null;
  iterations: number | null;
  report: Record<string, unknown> | null;
  dims: Record<string, unknown> | null;
  /** Parents, study and round of a model an architect round proposed; null otherwise. */
  lineage: Record<string, unknown> | null;
  createdAt: Date;
}

export type NewModel = Omit<ModelRecord, 'createdAt' | 'lineage'> & { lineage?: Record<string, unknown> | null };

export interface ModelRepo {
  insert(model: NewModel): Promise<ModelRecord>;
  /** By id or by name. */
  get(ref: string): Promise<ModelRecord>;
  find(ref: string): Promise<ModelRecord | undefined>;
  list(kind?: ModelKind): Promise<ModelRecord[]>;
  names(): Promise<string[]>;
  rename(ref: string, name: string): Promise<ModelRecord>;
  delete(ref: string): Promise<void>;
}

const jsonObject = z.record(z.string(), z.unknown());
const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['baseline', 'generated', 'user']),
  code: z.string(),
  code_sha: z.string(),
  request: z.string().nullable(),
  provider: z.string().nullable(),
  iterations: z.coerce.number().int().nullable(),
  report: jsonObject.nullable(),
  dims: jsonObject.nullable(),
  lineage: jsonObject.nullable(),
  created_at: z.coerce.date(),
});

const COLUMNS = 'id, name, kind, code, code_sha, request, provider, iterations, report, dims, lineage, created_at';

function fromRow(raw: unknown): ModelRecord {
  const r = rowSchema.parse(raw);
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    code: r.code,
    codeSha: r.code_sha,
    request: r.request,
    provider: r.provider,
    iterations: r.iterations,
    report: r.report,
    dims: r.dims,
    lineage: r.lineage,
    createdAt: r.created_at,
  };
}

function notFound(ref: string): GenAutoMLError {
  return new GenAutoMLError('model.not_found', `No stored model with id or name "${ref}".`, { hint: 'Call list_models to see the registered models.' });
}

export function createModelRepo(db: Database): ModelRepo {
  const find = async (ref: string): Promise<ModelRecord | undefined> => {
    const r = await db.executeSql(`SELECT ${COLUMNS} FROM models WHERE id = $1 OR name = $1`, [ref]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  };
  return {
    async insert(m) {
      try {
        const r = await db.executeSql(
          `INSERT INTO models (id, name, kind, code, code_sha, request, provider, iterations, report, dims, lineage)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
          [m.id, m.name, m.kind, m.code, m.codeSha, m.request, m.provider, m.iterations, json(m.report), json(m.dims), json(m.lineage ?? null)],
        );
        return fromRow(r.rows[0]);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new GenAutoMLError('model.name_taken', `A model named "${m.name}" already exists.`, { cause: err, hint: 'Choose another name.' });
        }
        throw err;
      }
    },
    find,
    async get(ref) {
      const m = await find(ref);
      if (!m) throw notFound(ref);
      return m;
    },
    async list(kind) {
      const r = kind
        ? await db.executeSql(`SELECT ${COLUMNS} FROM models WHERE kind = $1 ORDER BY name`, [kind])
        : await db.executeSql(`SELECT ${COLUMNS} FROM models ORDER BY kind, name`);
      return r.rows.map(fromRow);
    },
    async names() {
      return (await db.executeSql<{ name: string }>('SELECT name FROM models')).rows.map((r) => r.name);
    },
    async rename(ref, name) {
      const m = await find(ref);
      if (!m) throw notFound(ref);
      if (m.kind === 'baseline') throw new GenAutoMLError('model.read_only', `${m.name} is a built-in baseline.`, { hint: 'Baselines cannot be renamed or deleted.' });
      try {
        const r = await db.executeSql(`UPDATE models SET name = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [m.id, name]);
        return fromRow(r.rows[0]);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new GenAutoMLError('model.name_taken', `A model named "${name}" already exists.`, { cause: err, hint: 'Choose another name.' });
        }
        throw err;
      }
    },
    async delete(ref) {
      const m = await find(ref);
      if (!m) throw notFound(ref);
      if (m.kind === 'baseline') throw new GenAutoMLError('model.read_only', `${m.name} is a built-in baseline.`, { hint: 'Baselines cannot be renamed or deleted.' });
      await db.executeSql('DELETE FROM models WHERE id = $1', [m.id]);
    },
  };
}

function json(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}
