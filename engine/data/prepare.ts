/**
 * The whole ingestion pipeline: source bytes → column table → roles → sorted, de-duplicated,
 * gridded series → splits → filled → z-scored float32 (a PreparedDataset) plus a summary a person
 * can read. Every repair is reported as a warning; anything that cannot be repaired throws a
 * GenAutoMLError before anything is returned, so a caller never stores a partial dataset.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import { parseCsvBytes } from './csv.js';
import type { CsvInfo } from './csv.js';
import { detectFormat, fromUtf16, inspectText, isParquetMagic } from './detect.js';
import { describeDuration, describeFrequency, describeSteps, parseFrequency } from './frequency.js';
import type { Frequency } from './frequency.js';
import { detectCalendar, nominalMs, toCalendarGrid } from './calendar.js';
import type { CalendarFrequency } from './calendar.js';
import type { GapReport } from './grid.js';
import { modalInterval, sortAndDedupe, toGrid } from './grid.js';
import { parseJsonTable } from './json.js';
import { applyLabelWindows, splitLabelCounts, type LabelSummary, type LabelWindows } from './label-windows.js';
import { parseParquet } from './parquet.js';
import type { ParquetKind } from './parquet.js';
import { planLong, pivot } from './long.js';
import type { PreparedDataset, PreparedMeta } from './prepared.js';
import { columnIndex, findLabelColumn, findTimeColumn } from './roles.js';
import type { DataSource, LoadSource, SourceBytes, SourceLimits } from './sources.js';
import { openSource } from './sources.js';
import { computeSplits, fillColumn, fitScaler, scaleToFloat32 } from './split.js';
import type { Range } from './split.js';
import type { Column, ColumnTable, SourceFormat } from './table.js';
import type { TimeFormat } from './timestamps.js';
import { TIME_NAME } from './timestamps.js';

const ratioSplit = z
  .object({ train: z.number().gt(0).lt(1), val: z.number().min(0).lt(1), test: z.number().min(0).lt(1) })
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, { message: 'train + val + test must be 1' });

export const prepareOptionsSchema = z
  .object({
    format: z.enum(['auto', 'csv', 'parquet', 'json']).default('auto').describe('File format; auto detects Parquet by its magic bytes and JSON by its first character.'),
    delimiter: z.enum([',', ';', '\t', '|']).optional().describe('CSV delimiter; sniffed when absent.'),
    header: z.union([z.boolean(), z.literal('auto')]).default('auto').describe('Whether the first CSV row is a header.'),
    decimal: z.enum(['auto', '.', ',']).default('auto').describe('Decimal mark; auto accepts 1,5 only in ;-delimited files without any 1.5.'),
    timeColumn: z.string().min(1).optional().describe('Timestamp column; detected when absent.'),
    dateOrder: z.enum(['auto', 'dmy', 'mdy']).default('auto').describe('Order of DD/MM/YYYY-style dates; decided from the data when auto.'),
    excelDates: z.boolean().default(false).describe('The time column holds Excel serial day numbers (days since 1899-12-30).'),
    layout: z
      .enum(['auto', 'wide', 'long'])
      .default('auto')
      .describe('long = one row per (series, time), pivoted to one feature per (series, value column); auto detects it.'),
    idColumns: z.array(z.string().min(1)).min(1).optional().describe('Columns that name the series of a long table (e.g. location).'),
    idColumn: z.string().min(1).optional().describe('One series id column of a long table (same as idColumns with one name).'),
    valueColumns: z.array(z.string().min(1)).min(1).optional().describe('Value columns of a long table to pivot; default every numeric column.'),
    valueColumn: z.string().min(1).optional().describe('One value column of a long table.'),
    aggregate: z
      .enum(['mean', 'sum', 'last'])
      .optional()
      .describe('How to merge rows that repeat a (series, timestamp); without it such duplicates in a long table are refused.'),
    target: z.string().min(1).optional().describe('Target column; default a column named OT/target/value/y, else the last.'),
    features: z.array(z.string().min(1)).min(1).optional().describe('Feature columns to keep (the target is always kept).'),
    labelColumn: z.string().min(1).nullable().optional().describe('0/1 anomaly label column; null disables detection.'),
    frequency: z
      .string()
      .min(1)
      .optional()
      .describe('Forced grid, e.g. 10min, 1h, 1d, 1w, or calendar 1b (business day), 1mo, 1q, 1y; detected when absent.'),
    maxGapMultiple: z.number().min(1).max(1_000_000).default(3).describe('Gaps longer than this many intervals are left missing, never filled.'),
    split: z
      .union([z.literal('ett'), ratioSplit])
      .default({ train: 0.7, val: 0.1, test: 0.2 })
      .describe('Chronological split: ratios, or ett (12/4/4 months of 30 days).'),
  })
  .strict();
export type PrepareOptions = z.output<typeof prepareOptionsSchema>;
export type PrepareOptionsInput = z.input<typeof prepareOptionsSchema>;

export interface PrepareLimits extends SourceLimits {
  /** Largest number of grid rows produced (guards against a tiny step over a long span). */
  maxRows?: number;
  maxFieldChars?: number;
}

export const MIN_ROWS = 10;
const DEFAULT_MAX_ROWS = 50_000_000;

export interface DroppedColumn {
  name: string;
  reason: 'not numeric' | 'all missing' | 'constant' | 'not selected';
}

export interface PrepareSummary {
  name: string;
  format: SourceFormat;
  bytes: number;
  csv?: CsvInfo;
  /** Rows in the source table (data rows, header excluded). */
  sourceRows: number;
  /** Rows of the prepared grid. */
  rows: number;
  columns: string[];
  target: string;
  timeColumn: string;
  timeFormat: TimeFormat;
  timeZone?: string;
  labelColumn?: string;
  /** Anomaly labels: where they came from, and the labelled rows and events (runs) per split. */
  labels?: LabelSummary;
  layout: 'wide' | 'long';
  /** For a long table: what named the series and which columns were pivoted. */
  long?: { idColumns: string[]; valueColumns: string[]; series: number; note: string };
  frequency: { ms: number; text: string; forced: boolean; regular: boolean; calendar?: CalendarFrequency };
  span: { start: string; end: string; text: string };
  gaps: { count: number; missingRows: number; longest?: { start: string; end: string; rows: number }; list: { start: string; end: string; rows: number; filled: boolean }[] };
  missing: Record<string, { missing: number; filled: number; remaining: number }>;
  droppedRows: { badTime: number };
  duplicates: number;
  sorted: boolean;
  binnedRows: number;
  dropped: DroppedColumn[];
  splits: { protocol: string; train: SplitSummary; val: SplitSummary; test: SplitSummary; unused: number };
  warnings: string[];
}

interface SplitSummary {
  rows: number;
  start?: string;
  end?: string;
}

export interface PrepareResult {
  dataset: PreparedDataset;
  summary: PrepareSummary;
  /**
   * The source, so the caller can store the raw file next to the prepared arrays: its bytes are
   * read again then (a file is not held in memory through the load), and refused if it changed.
   */
  source: LoadSource;
}

/**
 * The single entry: read a source, parse it, and prepare it. Options are validated here.
 * `labelWindows` (label-windows.ts) marks the rows inside anomaly windows, instead of a column.
 */
export async function prepareFromSource(source: DataSource, options: PrepareOptionsInput, limits: PrepareLimits, labelWindows?: LabelWindows): Promise<PrepareResult> {
  const opts = parseOptions(options);
  const read = await openSource(source, limits);
  const { table, format, csv } = await parseSource(read, opts, limits);
  const prepared = prepareTable(table, opts, limits);
  let dataset = prepared.dataset;
  const summary: PrepareSummary = { name: read.name, format, bytes: read.byteLength, ...(csv ? { csv } : {}), ...prepared.summary };
  if (labelWindows) {
    if (dataset.labels) {
      throw new GenAutoMLError('data.bad_options', `The file has a label column (${prepared.summary.labelColumn ?? '?'}) and label windows were given too.`, {
        hint: 'Use one: drop the windows file, or set labelColumn to null so the column is not read as labels.',
      });
    }
    const applied = applyLabelWindows(dataset.times, dataset.meta.splits, labelWindows);
    dataset = { ...dataset, labels: applied.labels, meta: { ...dataset.meta, hasLabels: true } };
    summary.labels = applied.summary;
    summary.warnings.push(...applied.warnings);
  } else if (dataset.labels) {
    summary.labels = { source: 'column', ...splitLabelCounts(dataset.labels, dataset.meta.splits) };
  }
  return { dataset, summary, source: read };
}

/**
 * Parquet (by its leading magic, or when asked for) is read from the source in ranges, so a big
 * file is never in memory whole; every other format is text and parsed from all its bytes.
 */
async function parseSource(read: LoadSource, opts: PrepareOptions, limits: PrepareLimits): ReturnType<typeof parseBytes> {
  const parquetKeep = columnsNeeded(opts);
  const ranged = opts.format === 'parquet' || (opts.format === 'auto' && isParquetMagic(await read.read(0, 4)));
  if (ranged) return { table: await parseParquet(read, parquetKeep), format: 'parquet' };
  return parseBytes({ bytes: await read.readAll(), name: read.name, formatHint: read.formatHint }, { ...opts, parquetKeep }, limits);
}

/**
 * With a feature list, only the columns the options name (plus, when the time column is not
 * named, every column that could be it) need decoding: Parquet skips the rest unread.
 */
function columnsNeeded(opts: PrepareOptions): ((name: string, kind: ParquetKind) => boolean) | undefined {
  if (!opts.features) return undefined;
  const named = [
    ...opts.features,
    opts.target,
    opts.timeColumn,
    opts.labelColumn ?? undefined,
    opts.idColumn,
    opts.valueColumn,
  ].filter((n): n is string => typeof n === 'string');
  const wanted = new Set(named.map((n) => n.toLowerCase()));
  return (name, kind) =>
    wanted.has(name.toLowerCase()) || (opts.timeColumn === undefined && (kind === 'time' || TIME_NAME.test(name))) || (kind === 'text' && opts.layout !== 'wide');
}

export function parseOptions(options: PrepareOptionsInput): PrepareOptions {
  const parsed = prepareOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new GenAutoMLError('data.bad_options', `Invalid load options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
      hint: 'Check the option names and values.',
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
    });
  }
  return parsed.data;
}

export async function parseBytes(
  read: SourceBytes,
  opts: Pick<PrepareOptions, 'format' | 'delimiter' | 'header' | 'decimal'> & { parquetKeep?: ((name: string, kind: ParquetKind) => boolean) | undefined },
  limits: Pick<PrepareLimits, 'maxFieldChars'> = {},
): Promise<{ table: ColumnTable; format: SourceFormat; csv?: CsvInfo }> {
  // UTF-16 text becomes UTF-8 first, so detection and parsing see ordinary text.
  const utf16 = fromUtf16(read.bytes);
  const bytes = utf16 ? utf16.bytes : read.bytes;
  const detected = detectFormat(bytes);
  const format: SourceFormat =
    opts.format === 'auto' ? (read.formatHint === 'parquet' && detected === 'csv' ? 'parquet' : detected) : opts.format;
  if (format === 'parquet') return { table: await parseParquet(bytes, opts.parquetKeep), format };
  if (format === 'json') {
    const table = parseJsonTable(bytes);
    if (utf16) table.warnings.unshift(utf16.warning);
    return { table, format };
  }
  const info = inspectText(bytes);
  const parsed = parseCsvBytes(
    bytes,
    { delimiter: opts.delimiter, header: opts.header, decimal: opts.decimal, maxFieldChars: limits.maxFieldChars },
    info,
  );
  parsed.warnings.unshift(...(utf16 ? [utf16.warning] : []), ...info.warnings);
  const { csv, ...table } = parsed;
  return { table, format, csv };
}

type TableSummary = Omit<PrepareSummary, 'name' | 'format' | 'bytes' | 'csv'>;

/**
 * Everything after parsing; pure and synchronous, so tests can feed tables directly. The stages in
 * order; each takes what the earlier ones produced and adds its warnings to the one list.
 */
export function prepareTable(table: ColumnTable, opts: PrepareOptions, limits: Pick<PrepareLimits, 'maxRows'> = {}): { dataset: PreparedDataset; summary: TableSummary } {
  const warnings = [...table.warnings];
  if (table.rows === 0) {
    throw new GenAutoMLError('data.no_rows', 'The table has no data rows.', { hint: 'Export the data rows too.' });
  }
  const rows = timedRows(table, opts, warnings);
  const picked = numericColumns(table, rows, opts, warnings);
  const selected = dropEmptyColumns(selectFeatures(picked.columns, picked.layout, picked.dropped, opts), picked.dropped, opts, warnings);
  const target = chooseTarget(selected.names, opts.target);
  const ordered = orderRows(picked.times, selected.columns, picked.labels, picked.pivotDuplicates, opts, warnings);
  const gridded = placeOnGrid(ordered.series, opts, limits, warnings);
  const filled = splitFillScale(gridded, selected.names, opts, warnings);
  const dataset = preparedDataset(gridded, filled, selected.names, target);
  const summary = tableSummary({ table, opts, rows, picked, names: selected.names, target, ordered, gridded, filled, warnings });
  return { dataset, summary };
}

type NamedColumns = { names: string[]; columns: Float64Array[] };

/** Stage 1: the time column and the label column; rows without a readable timestamp are dropped. */
function timedRows(table: ColumnTable, opts: PrepareOptions, warnings: string[]) {
  const time = findTimeColumn(table, opts.timeColumn, { order: opts.dateOrder, excelDates: opts.excelDates });
  warnings.push(...time.parsed.warnings);
  const labelIdx = findLabelColumn(table, opts.labelColumn, time.index);

  // Rows whose timestamp is missing or unreadable cannot be placed in time: drop and report them.
  const rawTimes = time.parsed.times;
  let keep: Uint32Array | undefined;
  let badTime = 0;
  for (let i = 0; i < rawTimes.length; i++) if (Number.isNaN(rawTimes[i] as number)) badTime++;
  if (badTime > 0) {
    keep = new Uint32Array(rawTimes.length - badTime);
    let k = 0;
    for (let i = 0; i < rawTimes.length; i++) if (!Number.isNaN(rawTimes[i] as number)) keep[k++] = i;
    warnings.push(`${badTime} row(s) had a missing or unreadable timestamp in ${time.name} and were dropped.`);
  }
  const pick = <T extends Float64Array>(arr: T): Float64Array => (keep ? Float64Array.from(keep, (i) => arr[i] as number) : arr);
  const pickText = (arr: string[]): string[] => (keep ? Array.from(keep, (i) => arr[i] as string) : arr);
  const pickRow = (r: number): number => (keep ? (keep[r] as number) : r);
  const times = pick(rawTimes);
  // Checked before column checks: with one row every column looks constant, which would mislead.
  if (times.length < 2) throw tooFew(times.length);
  return { time, labelIdx, badTime, times, pick, pickText, pickRow };
}

/** Stage 2: the numeric columns of a wide table, or the pivot of a long one (series × value column). */
function numericColumns(table: ColumnTable, rows: ReturnType<typeof timedRows>, opts: PrepareOptions, warnings: string[]) {
  const { time, labelIdx, pick, pickText, pickRow } = rows;
  const dropped: DroppedColumn[] = [];
  const names: string[] = [];
  const columns: Float64Array[] = [];
  let times = rows.times;
  let layout: 'wide' | 'long' = 'wide';
  let pivotDuplicates = 0;
  const exclude = new Set<number>([time.index, ...(labelIdx === undefined ? [] : [labelIdx])]);
  const idNames = opts.idColumns ?? (opts.idColumn !== undefined ? [opts.idColumn] : undefined);
  const valueNames = opts.valueColumns ?? (opts.valueColumn !== undefined ? [opts.valueColumn] : undefined);
  const longPlan = planLong(table, times, exclude, pickRow, {
    layout: idNames || valueNames ? 'long' : opts.layout,
    idColumns: idNames?.map((n) => columnIndex(table, n, 'idColumns')),
    valueColumns: valueNames?.map((n) => columnIndex(table, n, 'valueColumns')),
    aggregate: opts.aggregate,
  });
  let labels = labelIdx === undefined ? undefined : pick((table.columns[labelIdx] as Column & { kind: 'number' }).values);
  let longInfo: PrepareSummary['long'];

  if (longPlan) {
    const idCols = longPlan.ids.map((i) => table.columns[i] as Column);
    if (longPlan.duplicates > 0 && opts.aggregate === undefined) {
      throw new GenAutoMLError(
        'data.long_duplicates',
        `The table is long (series named by ${idCols.map((c) => c.name).join(' + ')}), but ${longPlan.duplicates} row(s) repeat a (series, timestamp) pair.`,
        {
          hint: 'Say how to merge them with aggregate: "mean", "sum" or "last"; or name other idColumns if more columns tell the series apart.',
          details: { idColumns: idCols.map((c) => c.name), duplicates: longPlan.duplicates },
        },
      );
    }
    const valCols = longPlan.values.map((i) => table.columns[i] as Column);
    for (const v of valCols) if (v.kind !== 'number') throw notNumeric(v.name);
    if (valCols.length === 0) throw notNumericLong(idCols.map((c) => c.name));
    const ids = idCols.map((c) => (c.kind === 'text' ? pickText(c.values) : Array.from(pick(c.values), (v) => String(v))));
    const p = pivot(
      times,
      idCols.map((c) => c.name),
      ids,
      valCols.map((c) => c.name),
      valCols.map((c) => pick((c as Column & { kind: 'number' }).values)),
      opts.aggregate ?? 'mean',
    );
    if (labels) {
      warnings.push('Labels cannot be kept through a long-to-wide pivot and were ignored.');
      labels = undefined;
    }
    times = p.times;
    names.push(...p.names);
    columns.push(...p.columns);
    layout = 'long';
    pivotDuplicates = longPlan.duplicates;
    const series = names.length / valCols.length;
    const note =
      `The table is long (${longPlan.reason}); it was pivoted to ${names.length} feature(s): ${series} series × ${valCols.length} value column(s), ` +
      `named like ${names[0] as string}.`;
    longInfo = { idColumns: idCols.map((c) => c.name), valueColumns: valCols.map((c) => c.name), series, note };
    table.columns.forEach((c, i) => {
      if (!exclude.has(i) && !longPlan.ids.includes(i) && !longPlan.values.includes(i)) dropped.push({ name: c.name, reason: c.kind === 'number' ? 'not selected' : 'not numeric' });
    });
  } else {
    table.columns.forEach((c, i) => {
      if (exclude.has(i)) return;
      if (c.kind !== 'number') {
        dropped.push({ name: c.name, reason: 'not numeric' });
        return;
      }
      const valid = countValid(c.values);
      // A column typed numeric from its first rows but mostly text further down is text.
      if (c.invalid > 0 && c.invalid >= valid) {
        dropped.push({ name: c.name, reason: 'not numeric' });
        return;
      }
      if (c.invalid > 0) warnings.push(`Column ${c.name}: ${c.invalid} cell(s) were not numbers and were treated as missing.`);
      names.push(c.name);
      columns.push(pick(c.values));
    });
  }
  return { times, columns: { names, columns } as NamedColumns, labels, layout, pivotDuplicates, longInfo, dropped };
}

/** Stage 3: the feature subset asked for (the target is always kept); the rest is dropped as not selected. */
function selectFeatures(all: NamedColumns, layout: 'wide' | 'long', dropped: DroppedColumn[], opts: PrepareOptions): NamedColumns {
  if (!opts.features) return all;
  const { names, columns } = all;
  const wanted = new Set<string>();
  for (const f of [...opts.features, ...(opts.target ? [opts.target] : [])]) {
    const i = names.findIndex((n) => n === f || n.toLowerCase() === f.toLowerCase());
    // In a pivoted long table a value column's name picks that value for every series.
    const perSeries = layout === 'long' && i < 0 ? names.filter((n) => n.toLowerCase().endsWith(`:${f.toLowerCase()}`)) : [];
    if (perSeries.length > 0) {
      for (const n of perSeries) wanted.add(n);
      continue;
    }
    if (i < 0) {
      const d = dropped.find((x) => x.name.toLowerCase() === f.toLowerCase());
      if (d?.reason === 'not numeric') throw notNumeric(d.name);
      throw new GenAutoMLError('data.unknown_column', `There is no numeric column "${f}".`, {
        hint: `Numeric columns are: ${names.join(', ')}.`,
        details: { column: f, columns: names },
      });
    }
    wanted.add(names[i] as string);
  }
  const keep: NamedColumns = { names: [], columns: [] };
  names.forEach((n, i) => {
    if (wanted.has(n)) {
      keep.names.push(n);
      keep.columns.push(columns[i] as Float64Array);
    } else dropped.push({ name: n, reason: 'not selected' });
  });
  return keep;
}

/** Stage 4: columns that carry nothing: all missing always go; constant ones go unless asked for by name. */
function dropEmptyColumns(cols: NamedColumns, dropped: DroppedColumn[], opts: PrepareOptions, warnings: string[]): NamedColumns {
  const explicit = new Set([...(opts.features ?? []), ...(opts.target ? [opts.target] : [])].map((s) => s.toLowerCase()));
  const keep: NamedColumns = { names: [], columns: [] };
  cols.names.forEach((n, i) => {
    const col = cols.columns[i] as Float64Array;
    const stats = constancy(col);
    if (stats === 'empty') {
      if (explicit.has(n.toLowerCase())) {
        throw new GenAutoMLError('data.all_missing', `Column ${n} has no values at all.`, { hint: 'Choose another column.' });
      }
      dropped.push({ name: n, reason: 'all missing' });
      warnings.push(`Column ${n} has no values at all and was dropped.`);
    } else if (stats === 'constant' && !explicit.has(n.toLowerCase())) {
      dropped.push({ name: n, reason: 'constant' });
      warnings.push(`Column ${n} has the same value in every row and was dropped (it carries no signal).`);
    } else {
      keep.names.push(n);
      keep.columns.push(col);
    }
  });
  if (keep.names.length === 0) {
    const why = dropped.length > 0 ? ` (dropped: ${dropped.map((d) => `${d.name}: ${d.reason}`).join(', ')})` : '';
    throw new GenAutoMLError('data.no_numeric_column', `No usable numeric column is left${why}.`, {
      hint: 'A dataset needs at least one numeric column that varies over time, besides the timestamp.',
      details: { dropped },
    });
  }
  return keep;
}

/** Stage 5: rows in time order, repeated timestamps merged. */
function orderRows(times: Float64Array, columns: Float64Array[], labels: Float64Array | undefined, pivotDuplicates: number, opts: PrepareOptions, warnings: string[]) {
  const ordered = sortAndDedupe({ times, columns, labels }, opts.aggregate ?? 'mean');
  if (ordered.report.sorted) warnings.push('The rows were not in time order; they were sorted.');
  if (ordered.report.duplicates > 0) {
    const how = opts.aggregate === 'sum' ? 'summed' : opts.aggregate === 'last' ? 'merged keeping the last' : 'averaged';
    warnings.push(`${ordered.report.duplicates} row(s) repeated an earlier timestamp; rows with the same timestamp were ${how}.`);
  }
  if (pivotDuplicates > 0) {
    warnings.push(`${pivotDuplicates} (series, timestamp) pair(s) appeared more than once; they were merged with aggregate "${opts.aggregate ?? 'mean'}" as asked.`);
  }
  if (ordered.series.times.length < 2) throw tooFew(ordered.series.times.length);
  return ordered;
}

/** Stage 6: the grid: a forced frequency, else a calendar one the dates follow, else the step that keeps data. */
function placeOnGrid(input: ReturnType<typeof sortAndDedupe>['series'], opts: PrepareOptions, limits: Pick<PrepareLimits, 'maxRows'>, warnings: string[]) {
  const forced = opts.frequency !== undefined;
  const calendar = forced ? undefined : detectCalendar(input.times);
  const frequency: Frequency = forced
    ? parseFrequency(opts.frequency as string)
    : calendar
      ? { ms: nominalMs(calendar), calendar }
      : { ms: modalInterval(input.times) as number };
  const freq = frequency.ms;
  const maxRows = limits.maxRows ?? DEFAULT_MAX_ROWS;
  const grid = frequency.calendar ? toCalendarGrid(input, frequency.calendar, maxRows) : toGrid(input, freq, forced, maxRows);
  const freqText = describeFrequency(frequency);
  const series = grid.series;
  const rows = series.times.length;
  if (rows < MIN_ROWS) throw tooFew(rows);
  if (!grid.report.regular && !forced) {
    const inserted = grid.report.gaps.reduce((a, g) => a + g.rows, 0);
    warnings.push(
      `The series is irregular; it was placed on a ${freqText} grid (the finest regular step that keeps every row, or the most common one)` +
        (grid.report.binnedRows > 0 ? `, averaging ${grid.report.binnedRows} row(s) that fell into an occupied slot` : '') +
        (inserted > 0 ? `, with ${inserted} empty slot(s) in ${grid.report.gaps.length} gap(s)` : '') +
        '.',
    );
  } else if (!grid.report.regular && forced && grid.report.binnedRows > 0) {
    warnings.push(`On the forced ${freqText} grid, ${grid.report.binnedRows} row(s) were averaged into their bins.`);
  }
  const longGaps = grid.report.gaps.filter((g) => g.rows + 1 > opts.maxGapMultiple);
  if (longGaps.length > 0) {
    warnings.push(
      `${longGaps.length} gap(s) longer than ${opts.maxGapMultiple} intervals were left missing rather than invented (longest: ${describeSteps(frequency, Math.max(...longGaps.map((g) => g.rows)))}).`,
    );
  }
  return { series, rows, frequency, freqText, forced, report: grid.report };
}

/** Stage 7: split, fill the short gaps, z-score on the training split into float32. */
function splitFillScale(gridded: ReturnType<typeof placeOnGrid>, names: string[], opts: PrepareOptions, warnings: string[]) {
  const { series, rows } = gridded;
  const splits = computeSplits(rows, gridded.frequency.ms, opts.split);
  const missing: PrepareSummary['missing'] = {};
  names.forEach((n, i) => {
    missing[n] = fillColumn(series.columns[i] as Float64Array, splits, opts.maxGapMultiple);
  });
  const remaining = Object.values(missing).reduce((a, m) => a + m.remaining, 0);
  if (remaining > 0) warnings.push(`${remaining} value(s) stay missing (NaN) in runs longer than the fill cap; windows over them must be skipped.`);
  const scaler = fitScaler(series.columns, names, splits.train, warnings);
  const values = scaleToFloat32(series.columns, scaler, rows);
  const nanRanges = nanRowRanges(values, names.length, rows);
  let labels8: Uint8Array | undefined;
  if (series.labels) {
    labels8 = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) labels8[i] = (series.labels[i] as number) > 0 ? 1 : 0;
  }
  return { splits, missing, scaler, values, nanRanges, labels8 };
}

/** Stage 8: the arrays and their metadata, as stored. */
function preparedDataset(gridded: ReturnType<typeof placeOnGrid>, filled: ReturnType<typeof splitFillScale>, names: string[], target: string): PreparedDataset {
  const { series, rows, frequency } = gridded;
  const { splits, labels8, nanRanges } = filled;
  const meta: PreparedMeta = {
    formatVersion: 1,
    rows,
    columns: names,
    target,
    frequencyMs: frequency.ms,
    ...(frequency.calendar ? { calendar: frequency.calendar } : {}),
    start: new Date(series.times[0] as number).toISOString(),
    end: new Date(series.times[rows - 1] as number).toISOString(),
    splits: { train: splits.train, val: splits.val, test: splits.test },
    scaler: filled.scaler,
    hasLabels: labels8 !== undefined,
    ...(nanRanges.length > 0 ? { gaps: nanRanges } : {}),
  };
  return { meta, values: filled.values, times: series.times, ...(labels8 ? { labels: labels8 } : {}) };
}

/** Stage 9: what a person reads: every choice made and every repair, with the numbers. */
function tableSummary(s: {
  table: ColumnTable;
  opts: PrepareOptions;
  rows: ReturnType<typeof timedRows>;
  picked: ReturnType<typeof numericColumns>;
  names: string[];
  target: string;
  ordered: ReturnType<typeof orderRows>;
  gridded: ReturnType<typeof placeOnGrid>;
  filled: ReturnType<typeof splitFillScale>;
  warnings: string[];
}): TableSummary {
  const { table, opts, names, target, warnings } = s;
  const { time, labelIdx, badTime } = s.rows;
  const { layout, longInfo, dropped, pivotDuplicates } = s.picked;
  const { series, rows, frequency, freqText, forced, report } = s.gridded;
  const { splits, missing, labels8 } = s.filled;
  const start = series.times[0] as number;
  const end = series.times[rows - 1] as number;
  const iso = (t: number): string => new Date(t).toISOString();
  const gapList = report.gaps;
  const longest = gapList.reduce<GapReport | undefined>((a, g) => (a === undefined || g.rows > a.rows ? g : a), undefined);
  const splitSummary = (r: Range): SplitSummary =>
    r[1] > r[0] ? { rows: r[1] - r[0], start: iso(series.times[r[0]] as number), end: iso(series.times[r[1] - 1] as number) } : { rows: 0 };
  return {
    sourceRows: table.rows,
    rows,
    columns: names,
    target,
    timeColumn: time.name,
    timeFormat: time.parsed.format,
    ...(time.parsed.zone ? { timeZone: time.parsed.zone } : {}),
    ...(labelIdx !== undefined && labels8 ? { labelColumn: (table.columns[labelIdx] as Column).name } : {}),
    layout,
    ...(longInfo ? { long: longInfo } : {}),
    frequency: { ms: frequency.ms, text: freqText, forced, regular: report.regular, ...(frequency.calendar ? { calendar: frequency.calendar } : {}) },
    span: { start: iso(start), end: iso(end), text: describeSpan(end - start) },
    gaps: {
      count: gapList.length,
      missingRows: gapList.reduce((a, g) => a + g.rows, 0),
      ...(longest ? { longest: { start: iso(longest.start), end: iso(longest.end), rows: longest.rows } } : {}),
      list: gapList.slice(0, 20).map((g) => ({ start: iso(g.start), end: iso(g.end), rows: g.rows, filled: g.rows + 1 <= opts.maxGapMultiple })),
    },
    missing,
    droppedRows: { badTime },
    duplicates: s.ordered.report.duplicates + pivotDuplicates,
    sorted: s.ordered.report.sorted,
    binnedRows: report.binnedRows,
    dropped,
    splits: {
      protocol: opts.split === 'ett' ? 'ett (12/4/4 months of 30 days)' : `ratios ${opts.split.train}/${opts.split.val}/${opts.split.test}`,
      train: splitSummary(splits.train),
      val: splitSummary(splits.val),
      test: splitSummary(splits.test),
      unused: rows - splits.test[1],
    },
    warnings,
  };
}

function notNumericLong(ids: string[]): GenAutoMLError {
  return new GenAutoMLError('data.no_numeric_column', `The long table (series by ${ids.join(' + ')}) has no numeric value column.`, {
    hint: 'A long table needs at least one numeric column of values besides the series and time columns.',
  });
}

function notNumeric(name: string): GenAutoMLError {
  return new GenAutoMLError('data.not_numeric', `Column ${name} is not numeric.`, { hint: 'Choose numeric columns as features, target and values.' });
}

function tooFew(rows: number): GenAutoMLError {
  return new GenAutoMLError('data.too_few_rows', `The series has ${rows} row(s) after preparation; at least ${MIN_ROWS} are needed.`, {
    hint: 'Load a longer series (train, validation and test each need rows).',
    details: { rows, minimum: MIN_ROWS },
  });
}

function countValid(values: Float64Array): number {
  let n = 0;
  // Index loops, not for...of: typed-array iterators are several times slower in V8.
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) n++;
  return n;
}

function constancy(values: Float64Array): 'empty' | 'constant' | 'varies' {
  let first = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return 'varies';
  }
  return Number.isNaN(first) ? 'empty' : 'constant';
}

const TARGET_NAME = /^(ot|target|value|y)$/i;

function chooseTarget(names: string[], wanted: string | undefined): string {
  if (wanted !== undefined) {
    const found = names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
    if (found === undefined) {
      throw new GenAutoMLError('data.unknown_column', `The target "${wanted}" is not a usable numeric column.`, {
        hint: `Usable columns are: ${names.join(', ')}.`,
        details: { column: wanted, columns: names },
      });
    }
    return found;
  }
  return names.find((n) => TARGET_NAME.test(n)) ?? (names[names.length - 1] as string);
}

function nanRowRanges(values: Float32Array, width: number, rows: number): Range[] {
  const out: Range[] = [];
  let open = -1;
  for (let r = 0; r < rows; r++) {
    let bad = false;
    for (let c = 0, o = r * width; c < width; c++, o++) if (Number.isNaN(values[o] as number)) {
      bad = true;
      break;
    }
    if (bad && open < 0) open = r;
    if (!bad && open >= 0) {
      out.push([open, r]);
      open = -1;
    }
  }
  if (open >= 0) out.push([open, rows]);
  return out;
}

function describeSpan(ms: number): string {
  const days = ms / 86_400_000;
  if (days >= 2) return `${Math.round(days * 10) / 10} days`;
  const hours = ms / 3_600_000;
  if (hours >= 2) return `${Math.round(hours * 10) / 10} hours`;
  return describeDuration(Math.round(ms));
}
