/**
 * Parquet to a column table via hyparquet. Columns arrive whole (onChunk per row group), so
 * numeric columns are copied into Float64Array without per-row objects. Timestamps that Parquet
 * types as such come back as Date objects and become epoch-ms `time` columns.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { GenAutoMLError } from '../errors.js';
import type { Column, ColumnTable } from './table.js';

export async function parseParquet(bytes: Uint8Array): Promise<ColumnTable> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: number;
  let names: string[];
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    const tail = bytes.subarray(bytes.length - 4);
    if (bytes.length < 12 || String.fromCharCode(...tail) !== 'PAR1') throw new Error('missing PAR1 footer magic');
    metadata = parquetMetadata(buffer);
    rows = Number(metadata.num_rows);
    // Top-level leaf columns only: nested data has no place in a time-series table.
    names = metadata.schema.slice(1).filter((s) => s.num_children === undefined || s.num_children === 0).map((s) => s.name);
  } catch (err) {
    throw corrupt(err);
  }
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file: buffer,
      metadata,
      utf8: true,
      onChunk: (chunk) => {
        const list = chunks.get(chunk.columnName) ?? [];
        list.push({ start: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
        chunks.set(chunk.columnName, list);
      },
    });
  } catch (err) {
    throw corrupt(err);
  }
  const warnings: string[] = [];
  const columns: Column[] = [];
  for (const name of names) {
    const parts = chunks.get(name);
    if (!parts) continue;
    columns.push(toColumn(name, parts, rows, warnings));
  }
  return { columns, rows, warnings };
}

function corrupt(err: unknown): GenAutoMLError {
  return new GenAutoMLError('data.parquet_corrupt', `The Parquet file is truncated or corrupt: ${(err as Error).message}`, {
    hint: 'Re-export or re-upload the file; a Parquet file must end with its footer (the last bytes are "PAR1").',
    cause: err,
  });
}

function toColumn(name: string, parts: { start: number; data: ArrayLike<unknown> }[], rows: number, warnings: string[]): Column {
  const firstValue = findFirst(parts);
  if (firstValue instanceof Date) {
    const values = new Float64Array(rows).fill(NaN);
    for (const p of parts) for (let i = 0; i < p.data.length; i++) {
      const v = p.data[i];
      if (v instanceof Date) values[p.start + i] = v.getTime();
    }
    return { name, kind: 'time', values };
  }
  if (typeof firstValue === 'number' || typeof firstValue === 'bigint' || typeof firstValue === 'boolean') {
    const values = new Float64Array(rows).fill(NaN);
    let invalid = 0;
    for (const p of parts) {
      const d = p.data;
      if (d instanceof Float64Array || d instanceof Float32Array || d instanceof Int32Array) {
        values.set(d.subarray(0, Math.min(d.length, rows - p.start)), p.start);
        continue;
      }
      for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (typeof v === 'number') values[p.start + i] = v;
        else if (typeof v === 'bigint' || typeof v === 'boolean') values[p.start + i] = Number(v);
        else if (v !== null && v !== undefined) invalid++;
      }
    }
    if (typeof firstValue === 'bigint') {
      // int64 beyond 2^53 loses precision as float64; only epoch nanoseconds get that big.
      let big = false;
      for (let i = 0; i < values.length; i++) if (Math.abs(values[i] as number) > 2 ** 53) big = true;
      if (big) warnings.push(`Column ${name} holds 64-bit integers beyond 2^53; they were rounded to float64.`);
    }
    return { name, kind: 'number', values, invalid };
  }
  const values = new Array<string>(rows).fill('');
  for (const p of parts) for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i];
    values[p.start + i] = v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
  }
  return { name, kind: 'text', values };
}

function findFirst(parts: { data: ArrayLike<unknown> }[]): unknown {
  for (const p of parts) for (let i = 0; i < p.data.length; i++) if (p.data[i] !== null && p.data[i] !== undefined) return p.data[i];
  return undefined;
}
