/**
 * Long tables: one row per (series, time) with the series named by one or more text columns
 * (`date, location, temp_max, …` for two cities; `series, date, value` for 14 industries). They
 * must be pivoted to one feature per (series, value column), never averaged into one series.
 *
 * Detection: the id columns are the smallest set of low-cardinality text columns that, together
 * with the timestamp, make the rows unique (or as unique as any set can). When timestamps do not
 * repeat but the rows are irregular in time, a text column whose groups are each regular on their
 * own (sensors reporting in turn) is an id too. Two different sets that fit equally well are
 * ambiguous: then, and for true duplicates, the caller gets a coded error naming the candidates
 * and the options (`idColumns`, `aggregate`), because guessing would mix series.
 */
import { GenAutoMLError } from '../errors.js';
import type { Column, ColumnTable } from './table.js';

export type Aggregate = 'mean' | 'sum' | 'last';

export interface LongPlan {
  /** Column indexes that name a series, in table order. */
  ids: number[];
  /** Numeric column indexes pivoted per series. */
  values: number[];
  /** How the layout was decided, in words (for the load summary). */
  reason: string;
  /** (series, time) pairs that occur more than once (0 for a clean long table). */
  duplicates: number;
}

const MAX_SUBSET = 3;
const MAX_CANDIDATES = 8;
export const MAX_SERIES = 2000;
const ID_NAME = /^(id|series|series_?id|item_?id|unique_?id|sensor|sensor_?id|station|station_?id|site|site_?id|store|store_?id|variable|name|symbol|ticker|key|channel|signal|metric|location|city|country|region)$/i;

interface Candidate {
  index: number;
  name: string;
  /** Dense group number of each row. */
  codes: Uint32Array;
  groups: number;
}

function textOf(col: Column): string[] | undefined {
  if (col.kind === 'text') return col.values;
  return undefined;
}

function encode(values: ArrayLike<string | number>, rows: number): { codes: Uint32Array; groups: number } {
  const map = new Map<string | number, number>();
  const codes = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i] as string | number;
    const key = typeof v === 'string' ? v.trim() : v;
    let k = map.get(key);
    if (k === undefined) {
      k = map.size;
      map.set(key, k);
    }
    codes[i] = k;
  }
  return { codes, groups: map.size };
}

/** Columns that could name series: text (or integer id-named) columns with 2..n/2 distinct values. */
function candidatesOf(table: ColumnTable, rows: number, exclude: Set<number>, pick: (i: number) => number): Candidate[] {
  const out: Candidate[] = [];
  table.columns.forEach((col, index) => {
    if (exclude.has(index)) return;
    let values: ArrayLike<string | number> | undefined = textOf(col);
    if (values === undefined && col.kind === 'number' && ID_NAME.test(col.name)) {
      const v = col.values;
      let integers = true;
      for (let i = 0; i < v.length && integers; i++) if (!Number.isInteger(v[i] as number)) integers = false;
      if (integers) values = v;
    }
    if (values === undefined) return;
    const src = values;
    const picked = Array.from({ length: rows }, (_, r) => src[pick(r)] as string | number);
    const { codes, groups } = encode(picked, rows);
    if (groups >= 2 && groups <= Math.max(2, rows / 2)) out.push({ index, name: col.name, codes, groups });
  });
  // Fewer groups first: a city column is a likelier id than a free-text note.
  return out.sort((a, b) => a.groups - b.groups).slice(0, MAX_CANDIDATES);
}

/** Rows whose (time, ids) key repeats an earlier row's. */
function duplicatesOf(times: Float64Array, sets: Candidate[]): { duplicates: number; series: number } {
  const seen = new Set<string>();
  const series = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < times.length; i++) {
    let id = '';
    for (const c of sets) id += `${c.codes[i] as number},`;
    series.add(id);
    const key = `${id}${times[i] as number}`;
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return { duplicates, series: series.size };
}

function subsets<T>(items: T[], maxSize: number): T[][] {
  const out: T[][] = [];
  const rec = (start: number, acc: T[]): void => {
    if (acc.length > 0) out.push(acc);
    if (acc.length === maxSize) return;
    for (let i = start; i < items.length; i++) rec(i + 1, [...acc, items[i] as T]);
  };
  rec(0, []);
  return out.sort((a, b) => a.length - b.length);
}

/** Share of consecutive steps equal to the most common one (1 = perfectly regular). */
function regularity(times: number[]): number {
  if (times.length < 3) return 0;
  const sorted = times.slice().sort((a, b) => a - b);
  const counts = new Map<number, number>();
  let best = 0;
  for (let i = 1; i < sorted.length; i++) {
    const d = (sorted[i] as number) - (sorted[i - 1] as number);
    if (d <= 0) continue;
    const c = (counts.get(d) ?? 0) + 1;
    counts.set(d, c);
    if (c > best) best = c;
  }
  return best / (sorted.length - 1);
}

function groupRegularity(times: Float64Array, c: Candidate): number {
  const byGroup: number[][] = Array.from({ length: c.groups }, () => []);
  for (let i = 0; i < times.length; i++) (byGroup[c.codes[i] as number] as number[]).push(times[i] as number);
  // The least regular group decides: one irregular series is enough to doubt.
  let worst = 1;
  for (const g of byGroup) worst = Math.min(worst, regularity(g));
  return worst;
}

function samePartition(a: Candidate[], b: Candidate[], times: Float64Array): boolean {
  const na = duplicatesOf(times, a).series;
  return na === duplicatesOf(times, b).series && na === duplicatesOf(times, [...a, ...b]).series;
}

const names = (s: Candidate[]): string => s.map((c) => c.name).join(' + ');

function ambiguous(options: Candidate[][], why: string): GenAutoMLError {
  const list = options.map(names);
  return new GenAutoMLError('data.long_ambiguous', `The table looks long (several series in one column), but ${why}: ${list.join(' or ')}.`, {
    hint: `Name the series columns with idColumns (e.g. idColumns: [${options[0]?.map((c) => JSON.stringify(c.name)).join(', ')}]), or set layout "wide" if these columns are attributes, not series names.`,
    details: { candidates: list },
  });
}

export interface LongOptions {
  layout: 'auto' | 'wide' | 'long';
  idColumns?: number[] | undefined;
  valueColumns?: number[] | undefined;
  aggregate?: Aggregate | undefined;
}

/**
 * Decides whether the table is long and, if so, which columns name series and which hold values.
 * `pick(r)` maps a kept row to its table row (rows with unreadable times are already gone).
 */
export function planLong(table: ColumnTable, times: Float64Array, exclude: Set<number>, pick: (r: number) => number, opts: LongOptions): LongPlan | undefined {
  if (opts.layout === 'wide') return undefined;
  const rows = times.length;
  const numericValues = (ids: number[]): number[] =>
    opts.valueColumns ??
    table.columns.flatMap((c, i) => (c.kind === 'number' && !exclude.has(i) && !ids.includes(i) ? [i] : []));
  if (opts.idColumns) {
    const ids = [...opts.idColumns].sort((a, b) => a - b);
    const chosen = ids.map((index) => {
      const col = table.columns[index] as Column;
      const src: ArrayLike<string | number> = col.kind === 'text' ? col.values : col.values;
      const { codes, groups } = encode(Array.from({ length: rows }, (_, r) => src[pick(r)] as string | number), rows);
      return { index, name: col.name, codes, groups };
    });
    return { ids, values: numericValues(ids), reason: `series named by ${names(chosen)} (idColumns)`, duplicates: duplicatesOf(times, chosen).duplicates };
  }
  const candidates = candidatesOf(table, rows, exclude, pick);
  if (candidates.length === 0) {
    if (opts.layout === 'long') {
      throw new GenAutoMLError('data.not_long', 'The table does not look like a long table: no text column names series.', {
        hint: 'Name the series columns with idColumns, or use layout "wide".',
      });
    }
    return undefined;
  }
  const base = duplicatesOf(times, []).duplicates;
  const plan = (set: Candidate[], reason: string, duplicates: number): LongPlan => {
    const ids = set.map((c) => c.index).sort((a, b) => a - b);
    return { ids, values: numericValues(ids), reason, duplicates };
  };
  if (base === 0) {
    // Timestamps never repeat. A regular series with a text column is wide (the column is an
    // attribute); an irregular one whose rows each belong to a regular series is interleaved long.
    const all = Array.from(times);
    if (opts.layout !== 'long' && regularity(all) >= 0.9) return undefined;
    const seriesLike = candidates.filter((c) => groupRegularity(times, c) >= 0.9);
    const distinct: Candidate[][] = [];
    for (const c of seriesLike) if (!distinct.some((d) => samePartition(d, [c], times))) distinct.push([c]);
    if (distinct.length === 0) {
      if (opts.layout === 'long') throw ambiguous(candidates.map((c) => [c]), 'no column splits it into regular series');
      return undefined;
    }
    if (distinct.length > 1) throw ambiguous(distinct, 'more than one column splits it into regular series');
    return plan(distinct[0] as Candidate[], `rows of ${(distinct[0] as Candidate[])[0]?.name} interleave in time, each a regular series`, 0);
  }
  // Timestamps repeat: find the smallest id set that removes the most repeats.
  const tried = subsets(candidates, MAX_SUBSET).map((s) => ({ set: s, ...duplicatesOf(times, s) }));
  const bestDup = Math.min(...tried.map((t) => t.duplicates));
  if (bestDup >= base) return undefined;
  const smallest = Math.min(...tried.filter((t) => t.duplicates === bestDup).map((t) => t.set.length));
  const winners = tried.filter((t) => t.duplicates === bestDup && t.set.length === smallest);
  const distinct: typeof winners = [];
  for (const w of winners) if (!distinct.some((d) => samePartition(d.set, w.set, times))) distinct.push(w);
  if (distinct.length > 1) throw ambiguous(distinct.map((d) => d.set), 'several column sets each name the series');
  const w = distinct[0] as (typeof winners)[number];
  if (w.series > MAX_SERIES) {
    throw new GenAutoMLError('data.too_many_series', `The long table has ${w.series} series (by ${names(w.set)}); at most ${MAX_SERIES} can become features.`, {
      hint: 'Filter the table to the series you need, or choose other idColumns.',
      details: { series: w.series, idColumns: w.set.map((c) => c.name) },
    });
  }
  return plan(w.set, `${names(w.set)} and the timestamp ${bestDup === 0 ? 'form a unique key' : 'nearly form a unique key'}`, bestDup);
}

export interface PivotResult {
  times: Float64Array;
  names: string[];
  columns: Float64Array[];
}

/**
 * One feature per (series, value column), named `location=seattle:temp_max` (several id columns:
 * `a=x,b=y:value`). Series appear in order of first appearance. Repeated (series, time) pairs are
 * merged with `aggregate` (the caller refuses them without one).
 */
export function pivot(times: Float64Array, idNames: string[], idValues: string[][], valueNames: string[], values: Float64Array[], aggregate: Aggregate): PivotResult {
  const n = times.length;
  const seriesIndex = new Map<string, number>();
  const seriesOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const label = idNames.map((name, k) => `${name}=${((idValues[k] as string[])[i] as string).trim()}`).join(',');
    let s = seriesIndex.get(label);
    if (s === undefined) {
      s = seriesIndex.size;
      seriesIndex.set(label, s);
    }
    seriesOf[i] = s;
  }
  const unique = Float64Array.from(new Set(times)).sort();
  const rowOf = new Map<number, number>();
  unique.forEach((t, r) => rowOf.set(t, r));
  const rowIdx = new Uint32Array(n);
  for (let i = 0; i < n; i++) rowIdx[i] = rowOf.get(times[i] as number) as number;
  const labels = [...seriesIndex.keys()];
  // Rows of each series, by a counting sort, so each feature reads only its own rows.
  const starts = new Uint32Array(labels.length + 1);
  for (let i = 0; i < n; i++) starts[(seriesOf[i] as number) + 1] = (starts[(seriesOf[i] as number) + 1] as number) + 1;
  for (let s = 0; s < labels.length; s++) starts[s + 1] = (starts[s + 1] as number) + (starts[s] as number);
  const order = new Uint32Array(n);
  const fill = starts.slice(0, labels.length);
  for (let i = 0; i < n; i++) {
    const s = seriesOf[i] as number;
    order[fill[s] as number] = i;
    fill[s] = (fill[s] as number) + 1;
  }
  const outNames: string[] = [];
  const outCols: Float64Array[] = [];
  for (let s = 0; s < labels.length; s++) {
    for (let v = 0; v < valueNames.length; v++) {
      const src = values[v] as Float64Array;
      const col = new Float64Array(unique.length).fill(NaN);
      const count = aggregate === 'mean' ? new Uint32Array(unique.length) : undefined;
      for (let j = starts[s] as number; j < (starts[s + 1] as number); j++) {
        const i = order[j] as number;
        const x = src[i] as number;
        if (Number.isNaN(x)) continue;
        const r = rowIdx[i] as number;
        const prev = col[r] as number;
        if (aggregate === 'last' || Number.isNaN(prev)) col[r] = x;
        else col[r] = prev + x;
        if (count) count[r] = (count[r] as number) + 1;
      }
      if (count) for (let r = 0; r < col.length; r++) if ((count[r] as number) > 1) col[r] = (col[r] as number) / (count[r] as number);
      outNames.push(`${labels[s] as string}:${valueNames[v] as string}`);
      outCols.push(col);
    }
  }
  return { times: unique, names: outNames, columns: outCols };
}
