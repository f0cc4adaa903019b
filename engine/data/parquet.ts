/**
 * Parquet to a column table via hyparquet, with every standard codec (SNAPPY, GZIP, BROTLI,
 * ZSTD from hyparquet-compressors; LZ4 and LZ4_RAW by engine/data/lz4.ts). Memory is what bounds big files, so:
 * - the file is never read or copied whole: the reader asks its source for the footer and then for
 *   one row group's column chunks at a time (a file on disk is never in memory whole);
 * - only the columns asked for are decoded (column pruning);
 * - row groups are read one at a time and copied straight into one preallocated Float64Array per
 *   column, so the decoder's intermediate arrays exist for one row group only;
 * - timestamps become epoch-ms numbers through custom parsers, never one Date object per row.
 * Kinds come from the schema (physical and logical types), not from the first value seen.
 */
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import { compressors as kept } from 'hyparquet-compressors';
import { GenAutoMLError } from '../errors.js';
import { isParquetMagic } from './detect.js';
import { decompressLz4Hadoop, decompressLz4Raw } from './lz4.js';
import type { Column, ColumnTable } from './table.js';

export type ParquetKind = 'number' | 'time' | 'text';
type Kind = ParquetKind;

// LZ4 decoded strictly (see lz4.ts): the kept decoder returns zeros for a damaged page.
const compressors = { ...kept, LZ4: decompressLz4Hadoop, LZ4_RAW: decompressLz4Raw };

const parsers: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v) / 1e3,
  timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
  dateFromDays: (d: number) => d * 86_400_000,
};

function kindOf(s: SchemaElement): Kind {
  const lt = s.logical_type?.type;
  const ct = s.converted_type;
  if (lt === 'TIMESTAMP' || lt === 'DATE' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS' || ct === 'DATE' || (s.type === 'INT96' && ct === undefined)) return 'time';
  if (lt === 'DECIMAL' || ct === 'DECIMAL') return 'number';
  if (s.type === 'BOOLEAN' || s.type === 'INT32' || s.type === 'INT64' || s.type === 'FLOAT' || s.type === 'DOUBLE') return 'number';
  if (lt === 'FLOAT16') return 'number';
  return 'text';
}

/** Where the file's bytes come from: in memory, or a file read in ranges (sources.ts). */
export interface ParquetSource {
  byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** The source as hyparquet's file: each read yields only the slice it asks for. */
function rangeReader(source: ParquetSource): AsyncBuffer {
  return {
    byteLength: source.byteLength,
    slice: async (start: number, end?: number) => {
      const got = await source.read(start, end ?? source.byteLength);
      // hyparquet wants an ArrayBuffer of exactly the slice; a fresh read already is one.
      if (got.byteOffset === 0 && got.byteLength === got.buffer.byteLength) return got.buffer as ArrayBuffer;
      return got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength) as ArrayBuffer;
    },
  };
}

function held(bytes: Uint8Array): ParquetSource {
  return { byteLength: bytes.byteLength, read: async (start, end) => bytes.subarray(start, end) };
}

/**
 * Parses a Parquet file, given as bytes or as a source read in ranges. `keep`, when given,
 * chooses the columns to decode from their name and kind; the others are skipped without being
 * read or decompressed.
 */
export async function parseParquet(input: Uint8Array | ParquetSource, keep?: (name: string, kind: ParquetKind) => boolean): Promise<ColumnTable> {
  const source = input instanceof Uint8Array ? held(input) : input;
  const file = rangeReader(source);
  let metadata: FileMetaData;
  try {
    const size = source.byteLength;
    if (size < 12 || !isParquetMagic(await source.read(size - 4, size))) throw new Error('missing PAR1 footer magic');
    metadata = await parquetMetadataAsync(file, { parsers });
  } catch (err) {
    throw corrupt(err);
  }
  const rows = Number(metadata.num_rows);
  // Top-level leaf columns only: nested data has no place in a time-series table.
  const leaves = topLevelLeaves(metadata.schema);
  const chosen = keep === undefined ? leaves : leaves.filter((s) => keep(s.name, kindOf(s)));
  const warnings: string[] = [];
  const out = chosen.map((s) => ({ name: s.name, kind: kindOf(s), num: null as Float64Array | null, text: null as string[] | null, invalid: 0, big: false }));
  for (const c of out) {
    if (c.kind === 'text') c.text = new Array<string>(rows).fill('');
    else c.num = new Float64Array(rows).fill(NaN);
  }
  const byName = new Map(out.map((c) => [c.name, c]));
  let rowStart = 0;
  try {
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const start = rowStart;
      await parquetRead({
        file,
        metadata,
        columns: chosen.map((s) => s.name),
        rowStart: start,
        rowEnd,
        utf8: true,
        compressors,
        parsers,
        onChunk: (chunk) => {
          const c = byName.get(chunk.columnName);
          if (c) copyChunk(c, chunk.columnData as ArrayLike<unknown>, chunk.rowStart, start, rowEnd);
        },
      });
      rowStart = rowEnd;
    }
  } catch (err) {
    throw corrupt(err);
  }
  const result: Column[] = out.map((c) => {
    if (c.big) warnings.push(`Column ${c.name} holds 64-bit integers beyond 2^53; they were rounded to float64.`);
    if (c.kind === 'text') return { name: c.name, kind: 'text', values: c.text as string[] };
    if (c.kind === 'time') return { name: c.name, kind: 'time', values: c.num as Float64Array };
    return { name: c.name, kind: 'number', values: c.num as Float64Array, invalid: c.invalid };
  });
  return { columns: result, rows, warnings };
}

function topLevelLeaves(schema: SchemaElement[]): SchemaElement[] {
  const out: SchemaElement[] = [];
  // Walk the flattened tree: a group's children follow it; skip nested subtrees entirely.
  let i = 1;
  const skip = (): void => {
    const s = schema[i++] as SchemaElement;
    for (let k = 0; k < (s.num_children ?? 0); k++) skip();
  };
  while (i < schema.length) {
    const s = schema[i] as SchemaElement;
    if ((s.num_children ?? 0) === 0) {
      out.push(s);
      i++;
    } else skip();
  }
  return out;
}

interface Target {
  kind: Kind;
  num: Float64Array | null;
  text: string[] | null;
  invalid: number;
  big: boolean;
}

function copyChunk(c: Target, d: ArrayLike<unknown>, chunkStart: number, lo: number, hi: number): void {
  // Chunks may reach outside the requested rows; only [lo, hi) belongs to this row group.
  const from = Math.max(0, lo - chunkStart);
  const to = Math.min(d.length, hi - chunkStart);
  if (c.text) {
    const t = c.text;
    for (let i = from; i < to; i++) {
      const v = d[i];
      t[chunkStart + i] = v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
    }
    return;
  }
  const out = c.num as Float64Array;
  if (d instanceof Float64Array || d instanceof Float32Array || d instanceof Int32Array || d instanceof Uint32Array) {
    out.set(d.subarray(from, to), chunkStart + from);
    return;
  }
  for (let i = from; i < to; i++) {
    const v = d[i];
    if (typeof v === 'number') out[chunkStart + i] = v;
    else if (typeof v === 'bigint') {
      const x = Number(v);
      if (Math.abs(x) > 2 ** 53) c.big = true;
      out[chunkStart + i] = x;
    } else if (typeof v === 'boolean') out[chunkStart + i] = v ? 1 : 0;
    else if (v instanceof Date) out[chunkStart + i] = v.getTime();
    else if (v !== null && v !== undefined) c.invalid++;
  }
}

function corrupt(err: unknown): GenAutoMLError {
  if (err instanceof GenAutoMLError) return err;
  return new GenAutoMLError('data.parquet_corrupt', `The Parquet file is truncated or corrupt: ${(err as Error).message}`, {
    hint: 'Re-export or re-upload the file; a Parquet file must end with its footer (the last bytes are "PAR1").',
    cause: err,
  });
}
