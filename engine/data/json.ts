/**
 * JSON tables to a column table, in the shapes data tools write: records (`[{"date": …, "a": 1}]`,
 * pandas `orient="records"`, also one object per line), columns (`{"date": [...], "a": [...]}`,
 * or pandas `orient="columns"`: `{"a": {"0": 1, …}}`), and pandas `orient="split"`
 * (`{"columns": [...], "data": [[...]]}`). A record wrapped in one key (`{"data": [...]}`) is
 * unwrapped. Anything else is refused with the shapes that work.
 */
import { GenAutoMLError } from '../errors.js';
import { decodeText } from './detect.js';
import { INVALID, parseNumber } from './numbers.js';
import type { Column, ColumnTable } from './table.js';

function unsupported(why: string): GenAutoMLError {
  return new GenAutoMLError('data.json_shape', `This JSON is not a table: ${why}.`, {
    hint: 'Use records ([{"date": "2024-01-01", "value": 1}, …]) or columns ({"date": [...], "value": [...]}), or export the data as CSV.',
  });
}

type Cell = unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJsonTable(bytes: Uint8Array): ColumnTable {
  const { text, warnings } = decodeText(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    doc = parseJsonLines(text);
    if (doc === undefined) {
      throw new GenAutoMLError('data.json_malformed', `The JSON could not be parsed: ${(err as Error).message}`, {
        hint: 'Check that the export finished (a cut-off file is not valid JSON), or export the data as CSV.',
        cause: err,
      });
    }
    warnings.push('The file holds one JSON object per line (JSON Lines).');
  }
  const table = toTable(doc);
  table.warnings.unshift(...warnings);
  return table;
}

function parseJsonLines(text: string): unknown[] | undefined {
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  return out.length > 0 && out.every(isRecord) ? out : undefined;
}

function toTable(doc: unknown): ColumnTable {
  if (Array.isArray(doc)) return fromRecords(doc);
  if (!isRecord(doc)) throw unsupported('the top level is a single value');
  if (Array.isArray(doc.columns) && Array.isArray(doc.data)) return fromSplit(doc.columns, doc.data);
  const keys = Object.keys(doc);
  if (keys.length === 0) throw unsupported('the object is empty');
  const only = keys.length === 1 ? doc[keys[0] as string] : undefined;
  if (Array.isArray(only) && only.every(isRecord)) return fromRecords(only);
  const values = keys.map((k) => doc[k]);
  if (values.every(Array.isArray)) return fromColumns(keys, values as Cell[][]);
  if (values.every(isRecord)) {
    // pandas orient="columns": every column maps the same row labels to cells.
    const index = Object.keys(values[0] as Record<string, unknown>);
    return fromColumns(keys, (values as Record<string, unknown>[]).map((col) => index.map((i) => col[i])));
  }
  throw unsupported('the top-level object mixes arrays and single values');
}

function fromRecords(rows: unknown[]): ColumnTable {
  if (rows.length === 0) throw new GenAutoMLError('data.no_rows', 'The JSON array is empty.', { hint: 'Export the data rows too.' });
  if (rows.every(Array.isArray)) {
    // An array of arrays: the first row is the header when it is all text.
    const first = rows[0] as unknown[];
    const header = first.every((c) => typeof c === 'string') && rows.length > 1;
    const names = header ? (first as string[]) : first.map((_, i) => `column_${i + 1}`);
    return fromSplit(names, header ? rows.slice(1) : rows);
  }
  if (!rows.every(isRecord)) throw unsupported('the array mixes objects and other values');
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows as Record<string, unknown>[]) for (const k of Object.keys(r)) if (!seen.has(k)) {
    seen.add(k);
    names.push(k);
  }
  return fromColumns(names, names.map((k) => (rows as Record<string, unknown>[]).map((r) => r[k])));
}

function fromSplit(columns: unknown[], data: unknown[]): ColumnTable {
  const names = columns.map((c, i) => (typeof c === 'string' && c !== '' ? c : `column_${i + 1}`));
  if (!data.every(Array.isArray)) throw unsupported('"data" must be an array of rows');
  for (let r = 0; r < data.length; r++) {
    if ((data[r] as unknown[]).length !== names.length) {
      throw new GenAutoMLError('data.ragged_rows', `Row ${r + 1} has ${(data[r] as unknown[]).length} values where there are ${names.length} columns.`, {
        hint: 'Every row needs one value per column.',
        details: { line: r + 1, expected: names.length, got: (data[r] as unknown[]).length },
      });
    }
  }
  return fromColumns(names, names.map((_, c) => (data as unknown[][]).map((row) => row[c])));
}

function fromColumns(names: string[], cells: Cell[][]): ColumnTable {
  const rows = Math.max(0, ...cells.map((c) => c.length));
  if (rows === 0) throw new GenAutoMLError('data.no_rows', 'The JSON table has no rows.', { hint: 'Export the data rows too.' });
  if (cells.some((c) => c.length !== rows)) throw unsupported('the columns have different lengths');
  const columns = names.map((name, i) => toColumn(name, cells[i] as Cell[]));
  return { columns, rows, warnings: [] };
}

/** Numbers (or numeric strings) make a numeric column; anything else is text (maybe timestamps). */
function toColumn(name: string, cells: Cell[]): Column {
  let numeric = 0;
  let other = 0;
  for (const v of cells) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'number' || typeof v === 'boolean') numeric++;
    else if (typeof v === 'string' && parseNumber(v) !== INVALID) numeric++;
    else other++;
  }
  if (numeric > 0 && other <= (numeric + other) * 0.1) {
    const values = new Float64Array(cells.length);
    let invalid = 0;
    cells.forEach((v, r) => {
      if (typeof v === 'number') values[r] = v;
      else if (typeof v === 'boolean') values[r] = v ? 1 : 0;
      else if (typeof v === 'string') {
        const x = parseNumber(v);
        if (x === INVALID) invalid++;
        values[r] = x === INVALID ? NaN : x;
      } else {
        if (v !== null && v !== undefined) invalid++;
        values[r] = NaN;
      }
    });
    return { name, kind: 'number', values, invalid };
  }
  return { name, kind: 'text', values: cells.map((v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v))) };
}
