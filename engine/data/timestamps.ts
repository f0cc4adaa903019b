/**
 * Timestamp parsing. Every time becomes float64 epoch milliseconds in UTC. Text without a zone is
 * taken literally as UTC (a naive wall clock): shifting it by the server's zone would make the
 * same file load differently on different hosts. Parsers read char codes instead of running a
 * regex per row, because the time column is parsed once per row of every file.
 */
import { GenAutoMLError } from '../errors.js';

export type DateOrder = 'dmy' | 'mdy';
export type TimeFormat =
  | 'iso'
  | 'dmy'
  | 'mdy'
  | 'month_name'
  | 'year_month'
  | 'year_quarter'
  | 'year'
  | 'excel_serial'
  | 'epoch_s'
  | 'epoch_ms'
  | 'epoch_us'
  | 'epoch_ns';

export interface ParsedTimes {
  times: Float64Array;
  format: TimeFormat;
  /** Non-empty cells that did not parse (their time is NaN). */
  invalid: number;
  /** How zones were handled, in words; undefined when the text had none. */
  zone: string | undefined;
  warnings: string[];
}

// Cursor state shared by the small readers below; module-level so parsing allocates nothing.
// The source is either a string or a byte range of an ASCII/UTF-8 buffer (the CSV fast path keeps
// the time column as offsets into the file, so no string is made per row).
let str = '';
let buf: Uint8Array | null = null;
let pos = 0;
let end = 0;
let zoneMin = NaN;

/** Char code at i, or NaN past the end (so every comparison with it is false, as with charCodeAt). */
function ch(i: number): number {
  if (i >= end) return NaN;
  return buf !== null ? (buf[i] as number) : str.charCodeAt(i);
}

function useString(s: string): void {
  str = s;
  buf = null;
  pos = 0;
  end = s.length;
  zoneMin = NaN;
}

function useBytes(b: Uint8Array, start: number, stop: number): void {
  buf = b;
  pos = start;
  end = stop;
  zoneMin = NaN;
}

function readInt(min: number, max: number): number {
  let v = 0;
  let n = 0;
  while (n < max && pos < end) {
    const c = ch(pos);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    pos++;
    n++;
  }
  return n >= min ? v : NaN;
}

/** Reads `[T ]HH:MM[:SS[.fff]]` and an optional zone from `pos`; returns ms of day or NaN. */
function readTimeOfDay(): number {
  zoneMin = NaN;
  if (pos >= end) return 0;
  const c = ch(pos);
  if (c !== 84 && c !== 32 && c !== 116) return readZone() ? 0 : NaN;
  pos++;
  while (pos < end && ch(pos) === 32) pos++;
  const h = readInt(1, 2);
  if (Number.isNaN(h) || ch(pos) !== 58) return NaN;
  pos++;
  const m = readInt(2, 2);
  if (Number.isNaN(m)) return NaN;
  let sec = 0;
  let ms = 0;
  if (ch(pos) === 58) {
    pos++;
    sec = readInt(2, 2);
    if (Number.isNaN(sec)) return NaN;
    const d = ch(pos);
    if (d === 46 || d === 44) {
      pos++;
      let scale = 100;
      let n = 0;
      while (pos < end) {
        const e = ch(pos);
        if (e < 48 || e > 57) break;
        if (n < 3) ms += (e - 48) * scale;
        scale /= 10;
        n++;
        pos++;
      }
      if (n === 0) return NaN;
    }
  }
  if (h > 24 || m > 59 || sec > 60) return NaN;
  if (!readZone()) return NaN;
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/** Optional ` Z`, `+HH`, `+HHMM`, `+HH:MM`, ` UTC`; true when the rest of the cell was consumed. */
function readZone(): boolean {
  while (pos < end && ch(pos) === 32) pos++;
  if (pos >= end) return true;
  const c = ch(pos);
  if (c === 90 || c === 122) {
    zoneMin = 0;
    return pos + 1 === end;
  }
  // "UTC" or "GMT", alone or followed by an offset.
  if ((c === 85 && ch(pos + 1) === 84 && ch(pos + 2) === 67) || (c === 71 && ch(pos + 1) === 77 && ch(pos + 2) === 84)) {
    pos += 3;
    if (pos === end) {
      zoneMin = 0;
      return true;
    }
  }
  const sc = ch(pos);
  if (sc !== 43 && sc !== 45) return false;
  pos++;
  const hh = readInt(2, 2);
  if (Number.isNaN(hh)) return false;
  let mm = 0;
  if (ch(pos) === 58) pos++;
  if (pos < end) {
    mm = readInt(2, 2);
    if (Number.isNaN(mm)) return false;
  }
  if (pos !== end || hh > 14 || mm > 59) return false;
  zoneMin = (sc === 45 ? -1 : 1) * (hh * 60 + mm);
  return true;
}

// Consecutive rows nearly always share the date: remember the last one's epoch day.
let lastKey = -1;
let lastDay = NaN;

function finish(y: number, mo: number, d: number, tod: number): number {
  if (Number.isNaN(tod) || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  const key = (y * 16 + mo) * 32 + d;
  if (key !== lastKey) {
    const day = Date.UTC(y, mo - 1, d);
    // Date.UTC rolls 31 February into March; refuse it instead.
    if (d > 28 && new Date(day).getUTCDate() !== d) return NaN;
    lastKey = key;
    lastDay = day;
  }
  let t = lastDay + tod;
  if (!Number.isNaN(zoneMin)) t -= zoneMin * 60000;
  return t;
}

function isoCore(): number {
  const y = readInt(4, 4);
  const sep = ch(pos);
  if (Number.isNaN(y) || (sep !== 45 && sep !== 47)) return NaN;
  pos++;
  const mo = readInt(1, 2);
  if (ch(pos) !== sep) return NaN;
  pos++;
  const d = readInt(1, 2);
  if (Number.isNaN(mo) || Number.isNaN(d)) return NaN;
  return finish(y, mo, d, readTimeOfDay());
}

function dayMonthCore(order: DateOrder): number {
  const a = readInt(1, 2);
  const sep = ch(pos);
  if (Number.isNaN(a) || (sep !== 47 && sep !== 45 && sep !== 46)) return NaN;
  pos++;
  const b = readInt(1, 2);
  if (Number.isNaN(b) || ch(pos) !== sep) return NaN;
  pos++;
  const y = readInt(4, 4);
  if (Number.isNaN(y)) return NaN;
  return order === 'dmy' ? finish(y, b, a, readTimeOfDay()) : finish(y, a, b, readTimeOfDay());
}

/** `YYYY-MM-DD`, `YYYY/MM/DD`, with optional `[T ]HH:MM[:SS[.fff]]` and zone. */
export function parseIsoTime(s: string): number {
  useString(s);
  return isoCore();
}

/** `A/B/YYYY` (also `-` or `.`), the order given, with optional time and zone. */
export function parseDayMonthTime(s: string, order: DateOrder): number {
  useString(s);
  return dayMonthCore(order);
}

/**
 * A text column held as byte offsets into the file (the CSV fast path), so that parsing a time
 * column does not make one string per row. `values` on such a column builds strings on demand.
 */
export interface RawText {
  bytes: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  encoding: 'utf8' | 'latin1';
}

export function rawCell(raw: RawText, i: number): string {
  return Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength).toString(raw.encoding, raw.starts[i], raw.ends[i]);
}

const ISO_HEAD = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}/;
const DM_HEAD = /^(\d{1,2})([-/.])(\d{1,2})\2\d{4}/;

/** Cheap test used by header sniffing: does this cell start like a date? */
export function looksLikeDate(s: string): boolean {
  const t = s.trim();
  return ISO_HEAD.test(t) || DM_HEAD.test(t) || altFormatOf(t) !== undefined;
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};
const WEEKDAYS = new Set(['mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const YEAR_MONTH = /^(\d{4})[-/.](\d{1,2})$/;
const YEAR_QUARTER = /^(?:(\d{4})[- ]?q([1-4])|q([1-4])[- ]?(\d{4}))$/i;
const YEAR_ONLY = /^\d{4}$/;
const HAS_MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b/i;
const TIME_PART = /(?:^|[\sT,])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3})\d*)?)?\s*(am|pm)?\s*$/i;

type AltFormat = 'year_month' | 'year_quarter' | 'year' | 'month_name';

/** Formats besides ISO and DD/MM/YYYY: "2000-01", "2000-Q1", "1850", "Jan 1 2000", "1 January 2000". */
function altFormatOf(t: string): AltFormat | undefined {
  if (YEAR_MONTH.test(t)) return 'year_month';
  if (YEAR_QUARTER.test(t)) return 'year_quarter';
  if (YEAR_ONLY.test(t)) return 'year';
  if (HAS_MONTH_NAME.test(t) && !Number.isNaN(parseMonthName(t))) return 'month_name';
  return undefined;
}

function parseAlt(format: AltFormat, t: string): number {
  switch (format) {
    case 'year_month': {
      const m = YEAR_MONTH.exec(t);
      return m ? finishDate(Number(m[1]), Number(m[2]), 1, 0) : NaN;
    }
    case 'year_quarter': {
      const m = YEAR_QUARTER.exec(t);
      if (!m) return NaN;
      const y = Number(m[1] ?? m[4]);
      const q = Number(m[2] ?? m[3]);
      return finishDate(y, (q - 1) * 3 + 1, 1, 0);
    }
    case 'year':
      return YEAR_ONLY.test(t) ? finishDate(Number(t), 1, 1, 0) : NaN;
    case 'month_name':
      return parseMonthName(t);
  }
}

function finishDate(y: number, mo: number, d: number, tod: number): number {
  if (!(y >= 1 && y <= 9999) || mo < 1 || mo > 12 || d < 1 || d > 31 || Number.isNaN(tod)) return NaN;
  const day = Date.UTC(y, mo - 1, d);
  if (new Date(day).getUTCDate() !== d) return NaN;
  return day + tod;
}

/**
 * Dates written with a month name, in any of the common orders: "Jan 1 2000", "January 1, 2000",
 * "1 January 2000", "1-Jan-2000", "2000-Jan-01", "Mon, 3 Jan 2000", "Jan 2000" (the 1st), and
 * "01-JAN-00" (two-digit year: 00-49 → 20xx, 50-99 → 19xx), with an optional time of day.
 */
export function parseMonthName(input: string): number {
  let t = input.trim();
  let tod = 0;
  const time = TIME_PART.exec(t);
  if (time) {
    let h = Number(time[1]);
    const mi = Number(time[2]);
    const se = time[3] === undefined ? 0 : Number(time[3]);
    const ms = time[4] === undefined ? 0 : Number(time[4].padEnd(3, '0'));
    const ampm = time[5]?.toLowerCase();
    if (ampm !== undefined) {
      if (h < 1 || h > 12) return NaN;
      h = (h % 12) + (ampm === 'pm' ? 12 : 0);
    }
    if (h > 23 || mi > 59 || se > 60) return NaN;
    tod = ((h * 60 + mi) * 60 + se) * 1000 + ms;
    t = t.slice(0, time.index);
  }
  const tokens = t.toLowerCase().match(/[a-z]+|\d+/g) ?? [];
  let month: number | undefined;
  let monthAt = -1;
  const numbers: { v: string; at: number }[] = [];
  tokens.forEach((tok, at) => {
    if (/^\d/.test(tok)) numbers.push({ v: tok, at });
    else if (MONTHS[tok] !== undefined && month === undefined) [month, monthAt] = [MONTHS[tok], at];
    else if (!WEEKDAYS.has(tok) && !/^(st|nd|rd|th|of)$/.test(tok)) month = -1;
  });
  if (month === undefined || month < 0) return NaN;
  const years = numbers.filter((n) => n.v.length === 4);
  const small = numbers.filter((n) => n.v.length <= 2);
  if (years.length + small.length !== numbers.length || years.length > 1) return NaN;
  if (years.length === 1) {
    if (small.length > 1) return NaN;
    return finishDate(Number((years[0] as { v: string }).v), month, small.length === 1 ? Number((small[0] as { v: string }).v) : 1, tod);
  }
  // No four-digit year: day, month, two-digit year (Oracle's 01-JAN-00).
  if (small.length !== 2 || !((small[0] as { at: number }).at < monthAt && (small[1] as { at: number }).at > monthAt)) return NaN;
  const yy = Number((small[1] as { v: string }).v);
  return finishDate(yy < 50 ? 2000 + yy : 1900 + yy, month, Number((small[0] as { v: string }).v), tod);
}

/** Excel's serial day numbers (days since 1899-12-30, the fraction is the time of day). */
export function parseExcelSerial(values: Float64Array): ParsedTimes | undefined {
  const times = new Float64Array(values.length);
  let ok = 0;
  let invalid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      times[i] = NaN;
      continue;
    }
    // 1 = 1900-01-01 … 2958465 = 9999-12-31; anything else is not a serial date.
    if (!(v >= 1 && v <= 2958465)) {
      times[i] = NaN;
      invalid++;
      continue;
    }
    times[i] = Math.round((v - 25569) * 86_400_000);
    ok++;
  }
  if (ok === 0 || invalid > (ok + invalid) * 0.1) return undefined;
  return { times, format: 'excel_serial', invalid, zone: undefined, warnings: ['Times were read as Excel serial day numbers (days since 1899-12-30).'] };
}

/** Dates written as one integer, YYYYMMDD (20000131), as some exports and SQL dumps do. */
export function parseYmdNumbers(values: Float64Array): ParsedTimes | undefined {
  const times = new Float64Array(values.length);
  let ok = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      times[i] = NaN;
      continue;
    }
    if (!Number.isInteger(v) || v < 10000101 || v > 29991231) return undefined;
    const t = finishDate(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100, 0);
    if (Number.isNaN(t)) return undefined;
    times[i] = t;
    ok++;
  }
  return ok === 0 ? undefined : { times, format: 'iso', invalid: 0, zone: undefined, warnings: ['Times were read as YYYYMMDD integers.'] };
}

/** Whole years in a numeric column (1850, 1851, …), taken as 1 January of each. */
export function parseYearNumbers(values: Float64Array): ParsedTimes | undefined {
  const times = new Float64Array(values.length);
  let ok = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      times[i] = NaN;
      continue;
    }
    if (!Number.isInteger(v) || v < 1000 || v > 2999) return undefined;
    times[i] = Date.UTC(v, 0, 1);
    ok++;
  }
  return ok === 0 ? undefined : { times, format: 'year', invalid: 0, zone: undefined, warnings: [] };
}

/** Column names that suggest a time column, checked before trying every text column. */
export const TIME_NAME = /^(date|time|timestamp|datetime|date_?time|time_?stamp|ds|ts|dt|period|epoch|unix_?time|index|unnamed: ?0|year|month|quarter|week)$|date|time/i;
/**
 * Stricter names for bare numbers: a numeric "runtime" or "uptime" column must not be taken for
 * epoch seconds just because its values are large.
 */
export const EPOCH_NAME = /^(time|timestamp|time_?stamp|datetime|date_?time|date|ts|dt|epoch|unix_?time|unix|epoch_?(s|ms|seconds|millis)?|year|yr)$/i;

/**
 * Parses a text column as times, choosing the format from the values. Returns undefined when the
 * column does not look like times at all (fewer than 90% of non-empty sample cells parse).
 */
export function parseTextTimes(values: string[], order: DateOrder | 'auto' = 'auto', raw?: RawText): ParsedTimes | undefined {
  const n = raw ? raw.starts.length : values.length;
  const cell = (i: number): string => (raw ? rawCell(raw, i) : (values[i] as string));
  const sample: string[] = [];
  for (let i = 0; i < n && sample.length < 200; i++) {
    const v = cell(i).trim();
    if (v !== '') sample.push(v);
  }
  if (sample.length === 0) return undefined;
  const warnings: string[] = [];
  let format: TimeFormat;
  if (sample.filter((v) => ISO_HEAD.test(v)).length >= sample.length * 0.9) {
    format = 'iso';
  } else if (sample.filter((v) => DM_HEAD.test(v)).length >= sample.length * 0.9) {
    const chosen = order === 'auto' ? chooseDateOrder(raw ? Array.from({ length: Math.min(n, 5000) }, (_, i) => cell(i)) : values, warnings) : order;
    if (chosen === undefined) return undefined;
    format = chosen;
  } else {
    const counts = new Map<AltFormat, number>();
    for (const v of sample) {
      const f = altFormatOf(v);
      if (f !== undefined) counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    const [best, hits] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
    if (best === undefined || hits < sample.length * 0.9) return undefined;
    return parseAltColumn(best, n, cell);
  }
  const core = format === 'iso' ? isoCore : format === 'mdy' ? () => dayMonthCore('mdy') : () => dayMonthCore('dmy');
  const parse = (s: string): number => {
    useString(s);
    return core();
  };
  const times = new Float64Array(n);
  let invalid = 0;
  let zoned = 0;
  let naive = 0;
  let blank = 0;
  const offsets = new Set<number>();
  for (let i = 0; i < n; i++) {
    let t: number;
    let isBlank: boolean;
    if (raw) {
      // Trim spaces by moving the offsets, then parse straight from the bytes.
      let a = raw.starts[i] as number;
      let b = raw.ends[i] as number;
      while (a < b && raw.bytes[a] === 32) a++;
      while (b > a && raw.bytes[b - 1] === 32) b--;
      useBytes(raw.bytes, a, b);
      t = core();
      isBlank = a === b;
    } else {
      const text = values[i] as string;
      t = parse(text);
      // Leading/trailing spaces are common; retry trimmed only on failure to keep the hot path lean.
      if (Number.isNaN(t) && text.trim() !== text) t = parse(text.trim());
      isBlank = Number.isNaN(t) && text.trim() === '';
    }
    times[i] = t;
    if (Number.isNaN(t)) {
      if (!isBlank) invalid++;
      else blank++;
    } else if (Number.isNaN(zoneMin)) naive++;
    else {
      zoned++;
      offsets.add(zoneMin);
    }
  }
  const parsed = n - invalid;
  if (parsed - blank < (n - blank) * 0.9 || parsed === blank) return undefined;
  let zone: string | undefined;
  if (zoned > 0 && (offsets.size > 1 || naive > 0)) {
    zone = 'mixed, normalised to UTC';
    warnings.push(
      `The timestamps mix time zones (${[...offsets].map(formatOffset).join(', ')}${naive > 0 ? `, and ${naive} without a zone, taken as UTC` : ''}); all were converted to UTC.`,
    );
  } else if (zoned > 0) {
    const off = [...offsets][0] as number;
    zone = off === 0 ? 'UTC' : `${formatOffset(off)}, converted to UTC`;
  }
  return { times, format, invalid, zone, warnings };
}

function parseAltColumn(format: AltFormat, n: number, cell: (i: number) => string): ParsedTimes | undefined {
  const times = new Float64Array(n);
  let invalid = 0;
  let blank = 0;
  for (let i = 0; i < n; i++) {
    const text = cell(i).trim();
    const t = text === '' ? NaN : parseAlt(format, text);
    times[i] = t;
    if (Number.isNaN(t)) {
      if (text === '') blank++;
      else invalid++;
    }
  }
  if (n - blank === 0 || invalid > (n - blank) * 0.1) return undefined;
  return { times, format, invalid, zone: undefined, warnings: [] };
}

function formatOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * DD/MM vs MM/DD from the data: a first field above 12 proves day-first, a second above 12 proves
 * month-first. When neither does, the order whose times step most regularly wins (a wrong order
 * jumps by months between consecutive rows); dots (31.12.2020) are European day-first.
 */
function chooseDateOrder(values: string[], warnings: string[]): DateOrder | undefined {
  let maxA = 0;
  let maxB = 0;
  let dots = 0;
  for (const raw of values) {
    const m = DM_HEAD.exec(raw.trim());
    if (!m) continue;
    maxA = Math.max(maxA, Number(m[1]));
    maxB = Math.max(maxB, Number(m[3]));
    if (m[2] === '.') dots++;
  }
  if (maxA > 12 && maxB > 12) return undefined;
  if (maxA > 12) return 'dmy';
  if (maxB > 12) return 'mdy';
  if (dots > 0) return 'dmy';
  const head = values.slice(0, 2000);
  const score = (order: DateOrder): number => {
    const diffs = new Map<number, number>();
    let prev = NaN;
    for (const v of head) {
      const t = parseDayMonthTime(v.trim(), order);
      if (!Number.isNaN(t) && !Number.isNaN(prev)) diffs.set(t - prev, (diffs.get(t - prev) ?? 0) + 1);
      if (!Number.isNaN(t)) prev = t;
    }
    return Math.max(0, ...diffs.values());
  };
  const dmy = score('dmy');
  const mdy = score('mdy');
  if (mdy > dmy) {
    warnings.push('Dates like 01/02/2020 are ambiguous; month-first (MM/DD/YYYY) gave the regular series, so it was used.');
    return 'mdy';
  }
  warnings.push('Dates like 01/02/2020 are ambiguous; day-first (DD/MM/YYYY) was assumed. Set dateOrder to override.');
  return 'dmy';
}

/**
 * Numeric epoch times: the unit follows from the magnitude (seconds until the year 5138, then
 * milliseconds, micro-, nanoseconds). Values before 1973 in seconds are not taken as epochs,
 * since small integers are more likely a step counter than 1970 dates.
 */
export function parseEpochTimes(values: Float64Array): ParsedTimes | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    count++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (count === 0 || lo < 1e8) return undefined;
  let format: TimeFormat;
  let scale: number;
  if (hi < 1e11) [format, scale] = ['epoch_s', 1000];
  else if (hi < 1e14) [format, scale] = ['epoch_ms', 1];
  else if (hi < 1e17) [format, scale] = ['epoch_us', 1e-3];
  else [format, scale] = ['epoch_ns', 1e-6];
  const times = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) times[i] = (values[i] as number) * scale;
  return { times, format, invalid: 0, zone: 'UTC', warnings: [] };
}

export function noTimestampError(columns: string[]): GenAutoMLError {
  return new GenAutoMLError('data.no_timestamp', 'No column could be read as timestamps.', {
    hint:
      'Add a time column (ISO 8601 like 2020-01-31 13:00:00, DD/MM/YYYY, "Jan 1 2000", "2000-01", a year, or epoch seconds/milliseconds), ' +
      'or name it with timeColumn (with excelDates for Excel serial day numbers).',
    details: { columns },
  });
}
