/**
 * Anomaly labels as people keep them: a file of incident windows (start and end time) rather than
 * a 0/1 column. CSV (two columns, header optional: start/end, begin/end, from/to) or JSON (a list
 * of [start, end] pairs or {start, end} records, or an object of such lists keyed by data file, as
 * the NAB benchmark ships its labels). A row is anomalous when its time lies in a window, ends
 * included.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import { readSource, type SourceLimits } from './sources.js';
import { parseEpochTimes, parseTextTimes } from './timestamps.js';

/** [start, end] in ms since the epoch, start ≤ end. */
export type LabelWindow = readonly [number, number];

export interface LabelWindows {
  windows: LabelWindow[];
  /** Where the windows came from inside the file (the NAB key chosen), for the summary. */
  key?: string;
}

function bad(message: string, hint = 'Give one window per line as start,end (CSV) or a JSON list of [start, end] pairs, times as ISO 8601.'): GenAutoMLError {
  return new GenAutoMLError('data.bad_label_windows', message, { hint });
}

const START = /^(start|begin|from|start_?time|begin_?time)$/i;
const END = /^(end|stop|to|until|end_?time|stop_?time)$/i;

/** Parses a windows file; `dataName` (the data file's name) picks the list from a keyed JSON object. */
export function parseLabelWindows(bytes: Uint8Array, dataName?: string): LabelWindows {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  const first = text.trimStart()[0];
  const { pairs, key } = first === '[' || first === '{' ? jsonPairs(text, dataName) : { pairs: csvPairs(text), key: undefined };
  if (pairs.length === 0) return { windows: [], ...(key ? { key } : {}) };
  const windows = toTimes(pairs);
  return { windows, ...(key ? { key } : {}) };
}

function csvPairs(text: string): Array<[unknown, unknown]> {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return [];
  const delimiter = [',', ';', '\t'].find((d) => lines[0]!.includes(d));
  if (!delimiter) throw bad('The label windows file has one value per line; each window needs a start and an end.');
  const rows = lines.map((l) => l.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, '$1')));
  let [si, ei] = [0, 1];
  const head = rows[0]!;
  const named = head.findIndex((c) => START.test(c));
  const namedEnd = head.findIndex((c) => END.test(c));
  const isHeader = named >= 0 || namedEnd >= 0 || head.every((c) => c !== '' && Number.isNaN(Date.parse(c)) && !/^-?\d+(\.\d+)?$/.test(c));
  if (isHeader) {
    if ((named >= 0) !== (namedEnd >= 0)) throw bad(`The label windows header (${head.join(', ')}) names a ${named >= 0 ? 'start' : 'end'} column but no ${named >= 0 ? 'end' : 'start'} column.`);
    if (named >= 0) [si, ei] = [named, namedEnd];
    rows.shift();
  }
  return rows.map((r, i) => {
    if (r.length <= Math.max(si, ei)) throw bad(`Line ${i + (isHeader ? 2 : 1)} of the label windows file has ${r.length} field(s); a window needs a start and an end.`);
    return [r[si], r[ei]];
  });
}

function jsonPairs(text: string, dataName: string | undefined): { pairs: Array<[unknown, unknown]>; key?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`The label windows file is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(value)) return { pairs: value.map(pairOf) };
  if (value === null || typeof value !== 'object') throw bad('The label windows JSON is neither a list of windows nor an object of such lists.');
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => Array.isArray(v));
  if (entries.length === 0) throw bad('The label windows JSON object holds no list of windows.');
  const base = dataName?.split(/[\\/]/).pop();
  const chosen = entries.length === 1 ? entries[0] : entries.find(([k]) => base !== undefined && (k === base || k.split(/[\\/]/).pop() === base));
  if (!chosen) {
    const keys = entries.map(([k]) => k);
    throw bad(`The label windows JSON has lists for ${keys.length} files (${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}) and none for ${base ?? 'this data'}.`, 'Keep only the list for this file, or name the data file as the JSON does.');
  }
  return { pairs: (chosen[1] as unknown[]).map(pairOf), key: chosen[0] };
}

function pairOf(item: unknown, i: number): [unknown, unknown] {
  if (Array.isArray(item) && item.length === 2) return [item[0], item[1]];
  if (item !== null && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    const s = Object.keys(o).find((k) => START.test(k));
    const e = Object.keys(o).find((k) => END.test(k));
    if (s !== undefined && e !== undefined) return [o[s], o[e]];
  }
  throw bad(`Window ${i + 1} of the label windows JSON is neither [start, end] nor {"start": …, "end": …}.`);
}

function toTimes(pairs: Array<[unknown, unknown]>): LabelWindow[] {
  const cells = pairs.flatMap(([s, e]) => [s, e]);
  let times: Float64Array;
  if (cells.every((c) => typeof c === 'number' || (typeof c === 'string' && /^-?\d+(\.\d+)?$/.test(c.trim())))) {
    const parsed = parseEpochTimes(Float64Array.from(cells, Number));
    if (!parsed) throw bad('The label windows are numbers but not epoch times (seconds, ms, µs or ns since 1970).');
    times = parsed.times;
  } else {
    const parsed = parseTextTimes(cells.map((c) => (c === null || c === undefined ? '' : String(c))));
    if (!parsed) throw bad(`The label windows' times could not be read (e.g. "${String(cells[0])}").`);
    times = parsed.times;
  }
  const out: LabelWindow[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const s = times[2 * i] as number;
    const e = times[2 * i + 1] as number;
    if (!Number.isFinite(s) || !Number.isFinite(e)) throw bad(`Window ${i + 1} (${String(pairs[i]![0])} – ${String(pairs[i]![1])}) has a time that could not be read.`);
    if (e < s) throw bad(`Window ${i + 1} ends before it starts (${new Date(s).toISOString()} – ${new Date(e).toISOString()}).`);
    out.push([s, e]);
  }
  return out;
}

/** 1 for every row whose time lies in a window; `outside` counts windows that cover no row. */
export function labelsFromWindows(times: Float64Array, windows: readonly LabelWindow[]): { labels: Uint8Array; outside: number } {
  const labels = new Uint8Array(times.length);
  let outside = 0;
  for (const [s, e] of windows) {
    // Times are sorted: find the first row at or after the start.
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < s) lo = mid + 1;
      else hi = mid;
    }
    let covered = 0;
    for (let i = lo; i < times.length && (times[i] as number) <= e; i++, covered++) labels[i] = 1;
    if (covered === 0) outside++;
  }
  return { labels, outside };
}

const countsSchema = z.object({ rows: z.number().int(), events: z.number().int() });
/** Labelled rows and events (runs of labelled rows) in each split. */
export const splitLabelCountsSchema = z.object({ train: countsSchema, val: countsSchema, test: countsSchema });
export type SplitLabelCounts = z.infer<typeof splitLabelCountsSchema>;

/** What a dataset's summary says of its labels: where they came from, and the counts per split. */
export const labelSummarySchema = splitLabelCountsSchema.extend({
  source: z.enum(['column', 'windows']),
  /** Windows in the file, and how many of them cover no row of the prepared grid. */
  windows: z.object({ count: z.number().int(), outside: z.number().int(), key: z.string().optional() }).optional(),
});
export type LabelSummary = z.infer<typeof labelSummarySchema>;

/** Labelled rows and events (runs of 1s) in [from, to). */
export function labelCounts(labels: Uint8Array, [from, to]: readonly [number, number]): { rows: number; events: number } {
  let rows = 0;
  let events = 0;
  for (let i = from; i < to; i++) {
    if (labels[i] !== 1) continue;
    rows++;
    if (i === from || labels[i - 1] !== 1) events++;
  }
  return { rows, events };
}

/** labelCounts for each split. */
export function splitLabelCounts(labels: Uint8Array, splits: Record<'train' | 'val' | 'test', readonly [number, number]>): SplitLabelCounts {
  return { train: labelCounts(labels, splits.train), val: labelCounts(labels, splits.val), test: labelCounts(labels, splits.test) };
}

/** Labels a prepared grid from windows: the labels, their summary, and a warning for windows that miss it. */
export function applyLabelWindows(
  times: Float64Array,
  splits: Record<'train' | 'val' | 'test', readonly [number, number]>,
  lw: LabelWindows,
): { labels: Uint8Array; summary: LabelSummary; warnings: string[] } {
  const { labels, outside } = labelsFromWindows(times, lw.windows);
  const count = lw.windows.length;
  return {
    labels,
    summary: { source: 'windows', windows: { count, outside, ...(lw.key ? { key: lw.key } : {}) }, ...splitLabelCounts(labels, splits) },
    warnings: outside > 0 ? [`${outside} of ${count} label window(s) cover no row of the data (outside its span, or in a gap between rows).`] : [],
  };
}

/** "Anomaly labels from 2 windows (file.csv): train 5 rows in 1 event, …." */
export function describeLabels(l: LabelSummary): string {
  const from = l.source === 'windows' && l.windows ? `${l.windows.count} window${l.windows.count === 1 ? '' : 's'}${l.windows.key ? ` (${l.windows.key})` : ''}` : 'the label column';
  return `Anomaly labels from ${from}: ${describeLabelCounts(l)}.`;
}

/** "train 5 rows in 1 event, validation 0 rows in 0 events, test 10 rows in 1 event" */
export function describeLabelCounts(c: SplitLabelCounts): string {
  const part = (name: string, n: { rows: number; events: number }): string => `${name} ${n.rows} rows in ${n.events} event${n.events === 1 ? '' : 's'}`;
  return `${part('train', c.train)}, ${part('validation', c.val)}, ${part('test', c.test)}`;
}

/** Reads a windows file through the same fences as data (data directories, URL guard, size cap). */
export async function readLabelWindows(at: string, limits: SourceLimits, dataName: string | undefined): Promise<LabelWindows> {
  const read = await readSource(/^https?:\/\//i.test(at) ? { kind: 'url', url: at } : { kind: 'path', path: at }, limits);
  return parseLabelWindows(read.bytes, dataName);
}
