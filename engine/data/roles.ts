/**
 * Which column is what: the timestamp, an optional anomaly label, the numeric features (and which
 * were dropped, with the reason), and whether the table is long (`id, timestamp, value`).
 */
import { GenAutoMLError } from '../errors.js';
import type { Column, ColumnTable } from './table.js';
import type { DateOrder, ParsedTimes } from './timestamps.js';
import { EPOCH_NAME, noTimestampError, parseEpochTimes, parseTextTimes, TIME_NAME } from './timestamps.js';

export interface TimeColumn {
  index: number;
  name: string;
  parsed: ParsedTimes;
}

function unknownColumn(name: string, what: string, table: ColumnTable): GenAutoMLError {
  return new GenAutoMLError('data.unknown_column', `There is no column "${name}" (asked for as ${what}).`, {
    hint: `Columns are: ${table.columns.map((c) => c.name).join(', ')}.`,
    details: { column: name, columns: table.columns.map((c) => c.name) },
  });
}

export function columnIndex(table: ColumnTable, name: string, what: string): number {
  const exact = table.columns.findIndex((c) => c.name === name);
  if (exact >= 0) return exact;
  const loose = table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  if (loose >= 0) return loose;
  throw unknownColumn(name, what, table);
}

function tryTimes(col: Column, order: DateOrder | 'auto', named: boolean): ParsedTimes | undefined {
  if (col.kind === 'time') return { times: col.values, format: 'epoch_ms', invalid: 0, zone: 'UTC', warnings: [] };
  // Byte-backed columns are parsed from their offsets; reading col.values would build strings.
  if (col.kind === 'text') return col.raw ? parseTextTimes([], order, col.raw) : parseTextTimes(col.values, order);
  // Bare numbers are epochs only when the name says time: otherwise any large feature would do.
  return named ? parseEpochTimes(col.values) : undefined;
}

/** The named column, else typed Parquet timestamps, else time-like names, else any date column. */
export function findTimeColumn(table: ColumnTable, name: string | undefined, order: DateOrder | 'auto'): TimeColumn {
  if (name !== undefined) {
    const index = columnIndex(table, name, 'timeColumn');
    const col = table.columns[index] as Column;
    const parsed = tryTimes(col, order, true);
    if (!parsed) {
      throw new GenAutoMLError('data.no_timestamp', `Column "${col.name}" could not be read as timestamps.`, {
        hint: 'Timestamps must be ISO 8601 (2020-01-31 13:00:00), DD/MM/YYYY or MM/DD/YYYY, or epoch seconds/milliseconds.',
        details: { column: col.name },
      });
    }
    return { index, name: col.name, parsed };
  }
  const order1 = table.columns.map((_, i) => i);
  const ranked = [
    ...order1.filter((i) => table.columns[i]?.kind === 'time'),
    ...order1.filter((i) => table.columns[i]?.kind !== 'time' && TIME_NAME.test(table.columns[i]?.name ?? '')),
    ...order1.filter((i) => table.columns[i]?.kind === 'text' && !TIME_NAME.test(table.columns[i]?.name ?? '')),
  ];
  for (const i of ranked) {
    const col = table.columns[i] as Column;
    const parsed = tryTimes(col, order, EPOCH_NAME.test(col.name) || col.kind === 'time');
    if (parsed) return { index: i, name: col.name, parsed };
  }
  throw noTimestampError(table.columns.map((c) => c.name));
}

const LABEL_NAME = /^(label|labels|anomaly|anomalies|is_anomaly|is_anomalous|outlier|is_outlier)$/i;

/** A numeric column of 0/1 (missing allowed) named like a label, or the one named in options. */
export function findLabelColumn(table: ColumnTable, name: string | null | undefined, skip: number): number | undefined {
  if (name === null) return undefined;
  if (name !== undefined) {
    const index = columnIndex(table, name, 'labelColumn');
    const col = table.columns[index] as Column;
    if (col.kind !== 'number' || !isBinary(col.values)) {
      throw new GenAutoMLError('data.bad_labels', `Label column "${col.name}" must hold only 0 and 1.`, {
        hint: 'Use 1 for anomalous rows and 0 for normal ones, or leave labelColumn unset.',
      });
    }
    return index;
  }
  const found = table.columns.findIndex((c, i) => i !== skip && c.kind === 'number' && LABEL_NAME.test(c.name) && isBinary(c.values));
  return found >= 0 ? found : undefined;
}

function isBinary(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v === 0 || v === 1 || Number.isNaN(v))) return false;
  }
  return true;
}

const ID_NAME = /^(id|series|series_?id|item_?id|unique_?id|sensor|sensor_?id|variable|name|symbol|key|channel|signal|metric)$/i;

/**
 * Long layout when, besides time and label, there is one text column and one numeric column and
 * timestamps repeat. Returns the [id, value] column indexes, or undefined for a wide table.
 */
export function detectLong(table: ColumnTable, times: Float64Array, exclude: Set<number>): [number, number] | undefined {
  const rest = table.columns.map((c, i) => ({ c, i })).filter(({ i }) => !exclude.has(i));
  const texts = rest.filter(({ c }) => c.kind === 'text');
  const nums = rest.filter(({ c }) => c.kind === 'number');
  const idCandidates = texts.length === 1 ? texts : nums.filter(({ c }) => ID_NAME.test(c.name));
  if (idCandidates.length !== 1) return undefined;
  const id = idCandidates[0] as { c: Column; i: number };
  const values = nums.filter(({ i }) => i !== id.i);
  if (values.length !== 1) return undefined;
  const distinct = new Set(times).size;
  if (distinct > times.length / 1.5) return undefined;
  return [id.i, (values[0] as { i: number }).i];
}
