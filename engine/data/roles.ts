/**
 * Which column is what: the timestamp, an optional anomaly label, the numeric features (and which
 * were dropped, with the reason). Whether the table is long is decided in long.ts.
 */
import { GenAutoMLError } from '../errors.js';
import type { Column, ColumnTable } from './table.js';
import type { DateOrder, ParsedTimes } from './timestamps.js';
import { EPOCH_NAME, noTimestampError, parseEpochTimes, parseExcelSerial, parseTextTimes, parseYearNumbers, parseYmdNumbers, TIME_NAME } from './timestamps.js';

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

export interface TimeOptions {
  order: DateOrder | 'auto';
  /** Numbers in the time column are Excel serial day numbers. */
  excelDates?: boolean;
}

function tryTimes(col: Column, opts: TimeOptions, named: boolean): ParsedTimes | undefined {
  if (col.kind === 'time') return { times: col.values, format: 'epoch_ms', invalid: 0, zone: 'UTC', warnings: [] };
  // Byte-backed columns are parsed from their offsets; reading col.values would build strings.
  if (col.kind === 'text') return col.raw ? parseTextTimes([], opts.order, col.raw) : parseTextTimes(col.values, opts.order);
  // Bare numbers are times only when the name says so: otherwise any large feature would do.
  if (!named) return undefined;
  if (opts.excelDates) return parseExcelSerial(col.values);
  return parseEpochTimes(col.values) ?? parseYearNumbers(col.values) ?? parseYmdNumbers(col.values);
}

/** The named column, else typed Parquet timestamps, else time-like names, else any date column. */
export function findTimeColumn(table: ColumnTable, name: string | undefined, opts: TimeOptions): TimeColumn {
  if (name !== undefined) {
    const index = columnIndex(table, name, 'timeColumn');
    const col = table.columns[index] as Column;
    const parsed = tryTimes(col, opts, true);
    if (!parsed) {
      const serialLike = col.kind === 'number' && !opts.excelDates && parseExcelSerial(col.values) !== undefined;
      throw new GenAutoMLError('data.no_timestamp', `Column "${col.name}" could not be read as timestamps.`, {
        hint:
          'Timestamps must be ISO 8601 (2020-01-31 13:00:00), DD/MM/YYYY or MM/DD/YYYY, a month name (Jan 1 2000, 1 January 2000), ' +
          'year-month (2000-01), year-quarter (2000-Q1), a year (1850), or epoch seconds/milliseconds' +
          (serialLike ? '; these numbers look like Excel serial dates: set excelDates to true.' : '.'),
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
    const parsed = tryTimes(col, opts, EPOCH_NAME.test(col.name) || col.kind === 'time');
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
