/**
 * Timestamp parsing. Every time becomes float64 epoch milliseconds in UTC. Text without a zone is
 * taken literally as UTC (a naive wall clock): shifting it by the server's zone would make the
 * same file load differently on different hosts. Parsers read char codes instead of running a
 * regex per row, because the time column is parsed once per row of every file.
 */
import { GenAutoMLError } from '../errors.js';

export type DateOrder = 'dmy' | 'mdy';
export type TimeFormat = 'iso' | 'dmy' | 'mdy' | 'epoch_s' | 'epoch_ms' | 'epoch_us' | 'epoch_ns';

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
let pos = 0;
let zoneMin = NaN;

function readInt(s: string, min: number, max: number): number {
  let v = 0;
  let n = 0;
  while (n < max && pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    pos++;
    n++;
  }
  return n >= min ? v : NaN;
}

/** Reads `[T ]HH:MM[:SS[.fff]]` and an optional zone from `pos`; returns ms of day or NaN. */
function readTimeOfDay(s: string): number {
  zoneMin = NaN;
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  if (c !== 84 && c !== 32 && c !== 116) return readZone(s) ? 0 : NaN;
  pos++;
  while (pos < s.length && s.charCodeAt(pos) === 32) pos++;
  const h = readInt(s, 1, 2);
  if (Number.isNaN(h) || s.charCodeAt(pos) !== 58) return NaN;
  pos++;
  const m = readInt(s, 2, 2);
  if (Number.isNaN(m)) return NaN;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(pos) === 58) {
    pos++;
    sec = readInt(s, 2, 2);
    if (Number.isNaN(sec)) return NaN;
    const d = s.charCodeAt(pos);
    if (d === 46 || d === 44) {
      pos++;
      let scale = 100;
      let n = 0;
      while (pos < s.length) {
        const e = s.charCodeAt(pos);
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
  if (!readZone(s)) return NaN;
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/** Optional ` Z`, `+HH`, `+HHMM`, `+HH:MM`, ` UTC`; true when the rest of the string was consumed. */
function readZone(s: string): boolean {
  while (pos < s.length && s.charCodeAt(pos) === 32) pos++;
  if (pos >= s.length) return true;
  const c = s.charCodeAt(pos);
  if (c === 90 || c === 122) {
    zoneMin = 0;
    return pos + 1 === s.length;
  }
  if (s.startsWith('UTC', pos) || s.startsWith('GMT', pos)) {
    pos += 3;
    if (pos === s.length) {
      zoneMin = 0;
      return true;
    }
  }
  const sc = s.charCodeAt(pos);
  if (sc !== 43 && sc !== 45) return false;
  pos++;
  const hh = readInt(s, 2, 2);
  if (Number.isNaN(hh)) return false;
  let mm = 0;
  if (s.charCodeAt(pos) === 58) pos++;
  if (pos < s.length) {
    mm = readInt(s, 2, 2);
    if (Number.isNaN(mm)) return false;
  }
  if (pos !== s.length || hh > 14 || mm > 59) return false;
  zoneMin = (sc === 45 ? -1 : 1) * (hh * 60 + mm);
  return true;
}

function finish(y: number, mo: number, d: number, tod: number): number {
  if (Number.isNaN(tod) || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  let t = Date.UTC(y, mo - 1, d) + tod;
  // Date.UTC rolls 31 February into March; refuse it instead.
  if (d > 28 && new Date(t - tod).getUTCDate() !== d) return NaN;
  if (!Number.isNaN(zoneMin)) t -= zoneMin * 60000;
  return t;
}

/** `YYYY-MM-DD`, `YYYY/MM/DD`, with optional `[T ]HH:MM[:SS[.fff]]` and zone. */
export function parseIsoTime(s: string): number {
  pos = 0;
  zoneMin = NaN;
  const y = readInt(s, 4, 4);
  const sep = s.charCodeAt(pos);
  if (Number.isNaN(y) || (sep !== 45 && sep !== 47)) return NaN;
  pos++;
  const mo = readInt(s, 1, 2);
  if (s.charCodeAt(pos) !== sep) return NaN;
  pos++;
  const d = readInt(s, 1, 2);
  if (Number.isNaN(mo) || Number.isNaN(d)) return NaN;
  return finish(y, mo, d, readTimeOfDay(s));
}

/** `A/B/YYYY` (also `-` or `.`), the order given, with optional time and zone. */
export function parseDayMonthTime(s: string, order: DateOrder): number {
  pos = 0;
  zoneMin = NaN;
  const a = readInt(s, 1, 2);
  const sep = s.charCodeAt(pos);
  if (Number.isNaN(a) || (sep !== 47 && sep !== 45 && sep !== 46)) return NaN;
  pos++;
  const b = readInt(s, 1, 2);
  if (Number.isNaN(b) || s.charCodeAt(pos) !== sep) return NaN;
  pos++;
  const y = readInt(s, 4, 4);
  if (Number.isNaN(y)) return NaN;
  return order === 'dmy' ? finish(y, b, a, readTimeOfDay(s)) : finish(y, a, b, readTimeOfDay(s));
}

const ISO_HEAD = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}/;
const DM_HEAD = /^(\d{1,2})([-/.])(\d{1,2})\2\d{4}/;

/** Cheap test used by header sniffing: does this cell start like a date? */
export function looksLikeDate(s: string): boolean {
  const t = s.trim();
  return ISO_HEAD.test(t) || DM_HEAD.test(t);
}

/** Column names that suggest a time column, checked before trying every text column. */
export const TIME_NAME = /^(date|time|timestamp|datetime|date_?time|time_?stamp|ds|ts|dt|period|epoch|unix_?time|index|unnamed: ?0)$|date|time/i;

/**
 * Parses a text column as times, choosing the format from the values. Returns undefined when the
 * column does not look like times at all (fewer than 90% of non-empty sample cells parse).
 */
export function parseTextTimes(values: string[], order: DateOrder | 'auto' = 'auto'): ParsedTimes | undefined {
  const sample: string[] = [];
  for (let i = 0; i < values.length && sample.length < 200; i++) {
    const v = (values[i] as string).trim();
    if (v !== '') sample.push(v);
  }
  if (sample.length === 0) return undefined;
  const warnings: string[] = [];
  let format: TimeFormat;
  let parse: (s: string) => number;
  if (sample.filter((v) => ISO_HEAD.test(v)).length >= sample.length * 0.9) {
    format = 'iso';
    parse = parseIsoTime;
  } else if (sample.filter((v) => DM_HEAD.test(v)).length >= sample.length * 0.9) {
    const chosen = order === 'auto' ? chooseDateOrder(values, warnings) : order;
    if (chosen === undefined) return undefined;
    format = chosen;
    parse = (s) => parseDayMonthTime(s, chosen);
  } else {
    return undefined;
  }
  const n = values.length;
  const times = new Float64Array(n);
  let invalid = 0;
  let zoned = 0;
  let naive = 0;
  const offsets = new Set<number>();
  for (let i = 0; i < n; i++) {
    const raw = values[i] as string;
    let t = parse(raw);
    // Leading/trailing spaces are common; retry trimmed only on failure to keep the hot path lean.
    if (Number.isNaN(t) && raw.trim() !== raw) t = parse(raw.trim());
    times[i] = t;
    if (Number.isNaN(t)) {
      if (raw.trim() !== '') invalid++;
    } else if (Number.isNaN(zoneMin)) naive++;
    else {
      zoned++;
      offsets.add(zoneMin);
    }
  }
  const parsed = n - invalid;
  if (parsed < (n - countBlank(values)) * 0.9 || parsed === 0) return undefined;
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

function countBlank(values: string[]): number {
  let b = 0;
  for (const v of values) if (v.trim() === '') b++;
  return b;
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
    hint: 'Add a time column (ISO 8601 like 2020-01-31 13:00:00, DD/MM/YYYY, or epoch seconds/milliseconds), or name it with timeColumn.',
    details: { columns },
  });
}
