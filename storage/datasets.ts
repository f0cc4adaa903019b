import { z } from 'zod';
import { preparedMetaSchema, type PreparedMeta } from '../engine/data/prepared.js';
import { GenAutoMLError } from '../engine/errors.js';
import type { Database } from './db.js';

export interface DatasetRecord {
  id: string;
  name: string;
  source: Record<string, unknown>;
  meta: PreparedMeta;
  summary: Record<string, unknown>;
  eda: Record<string, unknown> | null;
  createdAt: Date;
}

export interface DatasetRepo {
  /** The summary is any JSON object (the preparation's report); it reads back as a plain record. */
  insert(tx: Pick<Database, 'executeSql'>, record: Omit<DatasetRecord, 'createdAt' | 'eda' | 'summary'> & { summary: object }): Promise<void>;
  get(id: string): Promise<DatasetRecord>;
  find(id: string): Promise<DatasetRecord | undefined>;
  list(): Promise<DatasetRecord[]>;
  setEda(id: string, eda: object): Promise<void>;
}

const jsonObject = z.record(z.string(), z.unknown());
const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: jsonObject,
  meta: preparedMetaSchema,
  summary: jsonObject,
  eda: jsonObject.nullable(),
  created_at: z.coerce.date(),
});

const COLUMNS = 'id, name, source, meta, summary, eda, created_at';

function fromRow(raw: unknown): DatasetRecord {
  const r = rowSchema.parse(raw);
  return { id: r.id, name: r.name, source: r.source, meta: r.meta, summary: r.summary, eda: r.eda, createdAt: r.created_at };
}

export function createDatasetRepo(db: Database): DatasetRepo {
  const find = async (id: string): Promise<DatasetRecord | undefined> => {
    const r = await db.executeSql(`SELECT ${COLUMNS} FROM datasets WHERE id = $1`, [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  };
  return {
    async insert(tx, rec) {
      await tx.executeSql('INSERT INTO datasets (id, name, source, meta, summary) VALUES ($1, $2, $3, $4, $5)', [
        rec.id,
        rec.name,
        JSON.stringify(rec.source),
        JSON.stringify(rec.meta),
        JSON.stringify(rec.summary),
      ]);
    },
    find,
    async get(id) {
      const rec = await find(id);
      if (!rec) {
        throw new GenAutoMLError('dataset.not_found', `No dataset with id ${id}.`, { hint: 'Call list_datasets to see the stored ids, or load_dataset to add one.' });
      }
      return rec;
    },
    async list() {
      const r = await db.executeSql(`SELECT ${COLUMNS} FROM datasets ORDER BY created_at DESC, id`);
      return r.rows.map(fromRow);
    },
    async setEda(id, eda) {
      await db.executeSql('UPDATE datasets SET eda = $2 WHERE id = $1', [id, JSON.stringify(eda)]);
    },
  };
}
