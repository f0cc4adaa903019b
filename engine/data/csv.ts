/**
 * CSV to a column table. The delimiter, the header and the decimal mark are sniffed from the first
 * lines. Files without any quote character take a hand-written scanner that parses numbers
 * straight from offsets into the text (the 1M-row target needs it); any quoting goes through
 * csv-parse, which handles quoted delimiters, doubled quotes and quoted newlines correctly.
 */
import { parse as csvParse } from 'csv-parse/sync';
import { GenAutoMLError } from '../errors.js';
import { INVALID, isMissingToken, parseNumber, parseNumberAt, POW10 } from './numbers.js';
import type { Column, ColumnTable } from './table.js';
import { decodeRange } from './detect.js';
import { looksLikeDate } from './timestamps.js';
import type { RawText } from './timestamps.js';

export type Delimiter = ',' | ';' | '\t' | '|';
const CANDIDATES: Delimiter[] = [',', ';', '\t', '|'];

export interface CsvOptions {
  delimiter?: Delimiter | undefined;
  header?: boolean | 'auto';
  decimal?: 'auto' | '.' | ',';
  /** Longest single field accepted, in characters. */
  maxFieldChars?: number;
}

export const DEFAULT_MAX_FIELD_CHARS = 1 << 20;
const SAMPLE_ROWS = 1000;

export interface CsvInfo {
  delimiter: Delimiter;
  header: boolean;
  decimalComma: boolean;
  quoted: boolean;
}

/** Parses CSV text (tests, small inputs); the file path goes through parseCsvBytes directly. */
export function parseCsv(text: string, options: CsvOptions = {}): ColumnTable & { csv: CsvInfo } {
  return parseCsvBytes(new TextEncoder().encode(text), options, { encoding: 'utf8', offset: 0 });
}

/**
 * Parses CSV bytes. Unquoted files are scanned as bytes without ever decoding the whole file;
 * only files with a quote character are decoded and handed to csv-parse.
 */
export function parseCsvBytes(
  bytes: Uint8Array,
  options: CsvOptions = {},
  text: { encoding: 'utf8' | 'latin1'; offset: number } = { encoding: 'utf8', offset: 0 },
): ColumnTable & { csv: CsvInfo } {
  const warnings: string[] = [];
  const start = text.offset;
  const quoted = bytes.indexOf(34, start) >= 0;
  // Sniffing looks at the head only; a multi-byte character cut at the end does not matter there.
  const head = decodeRange(bytes, start, Math.min(bytes.length, start + (1 << 20)), text.encoding);
  const delimiter = options.delimiter ?? sniffDelimiter(head);
  const maxField = options.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS;
  const full = quoted ? decodeRange(bytes, start, bytes.length, text.encoding) : '';
  const sample = quoted ? sampleQuoted(full, delimiter, maxField) : sampleRows(head, delimiter, SAMPLE_ROWS + 1);
  const first = sample[0];
  if (first === undefined) {
    throw new GenAutoMLError('data.empty_file', 'The file has no rows.', { hint: 'Check that the export finished.' });
  }
  const header = options.header === undefined || options.header === 'auto' ? sniffHeader(first) : options.header;
  const names = header ? uniqueNames(first) : first.map((_, i) => `column_${i + 1}`);
  const dataSample = header ? sample.slice(1) : sample;
  if (dataSample.length === 0) {
    throw new GenAutoMLError('data.no_rows', 'The file has a header but no data rows.', {
      hint: 'Export the data rows too.',
      details: { columns: names },
    });
  }
  const decimalComma = options.decimal === ',' || (options.decimal !== '.' && delimiter === ';' && sniffDecimalComma(dataSample));
  if (decimalComma) warnings.push('Numbers use a decimal comma (1,5); they were read as 1.5.');
  const numeric = names.map((_, c) => columnLooksNumeric(dataSample, c, decimalComma));
  const info: CsvInfo = { delimiter, header, decimalComma, quoted };
  const table = quoted
    ? fromRecords(full, delimiter, names, numeric, header, decimalComma, maxField)
    : scanPlain(bytes, start, text.encoding, delimiter, names, numeric, header, decimalComma, maxField, shortestLine(dataSample));
  table.warnings.unshift(...warnings);
  return { ...table, csv: info };
}

/**
 * Picks the candidate that splits the first lines into the same number of fields (more than one)
 * most consistently; ties go to more fields, then to the order , ; tab |.
 */
export function sniffDelimiter(text: string): Delimiter {
  const lines = headLines(text, 50);
  let best: Delimiter = ',';
  let bestScore = -1;
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    let modeCount = 0;
    let mode = 0;
    for (const [c, f] of freq) if (f > modeCount || (f === modeCount && c > mode)) [mode, modeCount] = [c, f];
    if (modeCount === 0) continue;
    // Consistency dominates; field count breaks ties between equally consistent candidates.
    const score = (modeCount / lines.length) * 1000 + Math.min(mode, 999) / 1000;
    if (score > bestScore + 1e-9) [best, bestScore] = [d, score];
  }
  return best;
}

function headLines(text: string, n: number): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length && out.length < n && i < 1 << 20; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 10 && !inQuotes) {
      const line = text.slice(start, i).replace(/\r$/, '');
      if (line.trim() !== '') out.push(line);
      start = i + 1;
    }
  }
  if (out.length < n && start < text.length) {
    const line = text.slice(start, Math.min(text.length, start + (1 << 20)));
    if (line.trim() !== '') out.push(line);
  }
  return out;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') q = !q;
    else if (c === d && !q) n++;
  }
  return n;
}

/** A first row is a header when none of its cells is a number or a date. */
function sniffHeader(first: string[]): boolean {
  for (const cell of first) {
    const t = cell.trim();
    if (t === '') continue;
    if (parseNumber(t) !== INVALID || parseNumber(t, true) !== INVALID || looksLikeDate(t)) return false;
  }
  return true;
}

function uniqueNames(first: string[]): string[] {
  const seen = new Map<string, number>();
  return first.map((raw, i) => {
    let name = raw.trim() || `column_${i + 1}`;
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) name = `${name}_${n + 1}`;
    return name;
  });
}

/** Decimal commas only when unambiguous: `;`-delimited cells like 1,5 or 1.234,5 and no cell like 1.5 or 1,234.5. */
function sniffDecimalComma(rows: string[][]): boolean {
  let comma = 0;
  for (const row of rows) {
    for (const cell of row) {
      const t = cell.trim();
      if (/^[+-]?\d+\.\d+$/.test(t) || /^[+-]?\d{1,3}(,\d{3})+\.\d+$/.test(t)) return false;
      if (/^[+-]?\d*,\d+$/.test(t) || /^[+-]?\d{1,3}(\.\d{3})+,\d+$/.test(t)) comma++;
    }
  }
  return comma > 0;
}

/**
 * Numeric when at least 90% of the non-missing sampled cells parse, so a stray "oops" or "#DIV/0!"
 * does not turn a sensor column into text (those cells become missing and are reported). An
 * all-missing column counts as numeric (all NaN) so it is reported as empty, not as text.
 */
function columnLooksNumeric(rows: string[][], c: number, decimalComma: boolean): boolean {
  let ok = 0;
  let bad = 0;
  for (const row of rows) {
    const cell = row[c];
    if (cell === undefined || isMissingToken(cell)) continue;
    if (parseNumber(cell, decimalComma) === INVALID) bad++;
    else ok++;
  }
  return bad <= (ok + bad) * 0.1;
}

function raggedError(line: number, expected: number, got: number): GenAutoMLError {
  return new GenAutoMLError('data.ragged_rows', `Row ${line} has ${got} fields where the header has ${expected}.`, {
    hint: 'Every row needs the same number of fields; check for a stray delimiter or a cut-off last line.',
    details: { line, expected, got },
  });
}

function fieldTooLarge(line: number, limit: number): GenAutoMLError {
  return new GenAutoMLError('data.field_too_large', `Row ${line} has a field longer than ${limit} characters.`, {
    hint: 'A time series cell is a number or a timestamp; check the export (an unclosed quote swallows the rest of the file).',
    details: { line, limitChars: limit },
  });
}

/** Splits up to `n` non-blank lines of an unquoted file into fields (for sniffing only). */
function sampleRows(text: string, d: string, n: number): string[][] {
  const rows: string[][] = [];
  let start = 0;
  while (start < text.length && rows.length < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let le = end;
    if (le > start && text.charCodeAt(le - 1) === 13) le--;
    const line = text.slice(start, Math.min(le, start + 65536));
    if (line.trim() !== '') rows.push(line.split(d));
    start = end + 1;
  }
  return rows;
}

function sampleQuoted(text: string, d: string, maxField: number): string[][] {
  const head = text.slice(0, 1 << 20);
  // The cut may fall inside a quoted field; relax_quotes/column_count keep the sample usable.
  try {
    return (csvParse(head, { delimiter: d, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to: SAMPLE_ROWS + 1 }) as string[][]);
  } catch {
    return parseRecords(text, d, maxField).slice(0, SAMPLE_ROWS + 1);
  }
}

function parseRecords(text: string, d: string, maxField: number): string[][] {
  try {
    return csvParse(text, { delimiter: d, relax_column_count: true, skip_empty_lines: true, max_record_size: maxField }) as string[][];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (e.code === 'CSV_MAX_RECORD_SIZE') throw fieldTooLarge(e.lines ?? 0, maxField);
    throw new GenAutoMLError('data.csv_malformed', `The CSV could not be parsed: ${e.message}`, {
      hint: 'Check the quoting: every opening quote needs a closing one, and quotes inside a field are doubled ("").',
      details: { line: e.lines ?? null },
      cause: err,
    });
  }
}

function fromRecords(
  text: string,
  d: string,
  names: string[],
  numeric: boolean[],
  header: boolean,
  decimalComma: boolean,
  maxField: number,
): ColumnTable {
  const records = parseRecords(text, d, maxField);
  const body = header ? records.slice(1) : records;
  const rows = body.length;
  const nCols = names.length;
  const columns: Column[] = names.map((name, c) =>
    numeric[c] ? { name, kind: 'number', values: new Float64Array(rows), invalid: 0 } : { name, kind: 'text', values: new Array<string>(rows) },
  );
  for (let r = 0; r < rows; r++) {
    const rec = body[r] as string[];
    if (rec.length !== nCols) throw raggedError(r + (header ? 2 : 1), nCols, rec.length);
    for (let c = 0; c < nCols; c++) {
      const cell = rec[c] as string;
      if (cell.length > maxField) throw fieldTooLarge(r + 1, maxField);
      const col = columns[c] as Column;
      if (col.kind === 'number') {
        const v = parseNumber(cell, decimalComma);
        if (v === INVALID) {
          col.values[r] = NaN;
          col.invalid++;
        } else col.values[r] = v;
      } else (col.values as string[])[r] = cell;
    }
  }
  return { columns, rows, warnings: [] };
}

/**
 * The fast path: no quotes anywhere, so a field is exactly the bytes between delimiters. One pass
 * over the bytes (delimiters, digits and newlines are ASCII in UTF-8 and Latin-1 alike); numeric
 * fields of the plain form [-]digits[.digits] are parsed inline while scanning, anything else in a
 * numeric column goes through parseNumberAt. Text columns keep byte offsets, not strings.
 */
function scanPlain(
  u: Uint8Array,
  begin: number,
  encoding: 'utf8' | 'latin1',
  d: string,
  names: string[],
  numeric: boolean[],
  header: boolean,
  decimalComma: boolean,
  maxField: number,
  sampleLineLength: number,
): ColumnTable {
  const nCols = names.length;
  const dc = d.charCodeAt(0);
  const dot = decimalComma ? 44 : 46;
  const len = u.length;
  // Start with a row estimate from the shortest of the first lines (so it is rarely too low);
  // arrays double if it was.
  let cap = Math.max(1024, Math.ceil((len - begin) / Math.max(4, sampleLineLength)) + 16);
  const nums: (Float64Array | null)[] = numeric.map((isNum) => (isNum ? new Float64Array(cap) : null));
  const starts: (Uint32Array | null)[] = numeric.map((isNum) => (isNum ? null : new Uint32Array(cap)));
  const ends: (Uint32Array | null)[] = numeric.map((isNum) => (isNum ? null : new Uint32Array(cap)));
  const invalid = new Array<number>(nCols).fill(0);
  const cellText = (a: number, b: number): string => decodeRange(u, a, b, encoding);
  let rows = 0;
  let line = 1;
  let i = begin;
  let skipHeader = header;
  while (i < len) {
    let ch = u[i] as number;
    // Blank lines (and lines of only spaces or tabs) are skipped.
    if (ch === 10 || ch === 13 || ch === 32 || ch === 9) {
      let j = i;
      while (j < len) {
        const x = u[j] as number;
        if (x !== 32 && x !== 9 && x !== 13) break;
        j++;
      }
      if (j >= len || u[j] === 10) {
        i = j + 1;
        line++;
        continue;
      }
    }
    if (skipHeader) {
      skipHeader = false;
      const nl = u.indexOf(10, i);
      i = nl < 0 ? len : nl + 1;
      line++;
      continue;
    }
    if (rows === cap) {
      cap *= 2;
      const grow = <T extends Float64Array | Uint32Array>(old: T | null, make: (n: number) => T): T | null => {
        if (old === null) return null;
        const g = make(cap);
        g.set(old);
        return g;
      };
      for (let c = 0; c < nCols; c++) {
        nums[c] = grow(nums[c] ?? null, (n) => new Float64Array(n));
        starts[c] = grow(starts[c] ?? null, (n) => new Uint32Array(n));
        ends[c] = grow(ends[c] ?? null, (n) => new Uint32Array(n));
      }
    }
    for (let c = 0; c < nCols; c++) {
      const fs = i;
      const arr = nums[c] ?? null;
      ch = i < len ? (u[i] as number) : 10;
      if (arr !== null) {
        let neg = false;
        let mant = 0;
        let digits = 0;
        let scale = 0;
        if (ch === 45) {
          neg = true;
          ch = ++i < len ? (u[i] as number) : 10;
        }
        while (ch >= 48 && ch <= 57) {
          mant = mant * 10 + (ch - 48);
          digits++;
          ch = ++i < len ? (u[i] as number) : 10;
        }
        if (ch === dot) {
          ch = ++i < len ? (u[i] as number) : 10;
          while (ch >= 48 && ch <= 57) {
            mant = mant * 10 + (ch - 48);
            digits++;
            scale++;
            ch = ++i < len ? (u[i] as number) : 10;
          }
        }
        if (digits > 0 && digits <= 19 && (ch === dc || ch === 10 || ch === 13)) {
          const v = scale === 0 ? mant : mant / (POW10[scale] as number);
          arr[rows] = neg ? -v : v;
        } else {
          // Not the plain form: find the field's end and take the general parser.
          while (ch !== dc && ch !== 10 && ch !== 13) ch = ++i < len ? (u[i] as number) : 10;
          if (i - fs > maxField) throw fieldTooLarge(line, maxField);
          const cell = cellText(fs, i);
          const v = parseNumberAt(cell, 0, cell.length, decimalComma);
          if (v === INVALID) {
            arr[rows] = NaN;
            invalid[c] = (invalid[c] as number) + 1;
          } else arr[rows] = v;
        }
      } else {
        while (ch !== dc && ch !== 10 && ch !== 13) ch = ++i < len ? (u[i] as number) : 10;
        if (i - fs > maxField) throw fieldTooLarge(line, maxField);
        (starts[c] as Uint32Array)[rows] = fs;
        (ends[c] as Uint32Array)[rows] = i;
      }
      // Now at the field's terminator: a delimiter, \r, \n or the end of the bytes.
      if (ch === 13) {
        // A lone \r inside a line is not a line end for this scanner.
        if (i + 1 < len && u[i + 1] !== 10) throw raggedError(line, nCols, c + 1);
        ch = 10;
        i++;
      }
      if (c < nCols - 1) {
        if (ch !== dc) throw raggedError(line, nCols, c + 1);
        i++;
      } else {
        if (ch === dc) {
          const nl = u.indexOf(10, i);
          throw raggedError(line, nCols, nCols + countByte(u, dc, i, nl < 0 ? len : nl));
        }
        i++;
      }
    }
    rows++;
    line++;
  }
  // A view when at least half the buffer is used (no copy: fresh memory is what costs here); a
  // copy when a view would pin mostly unused memory.
  const trim = <T extends Float64Array | Uint32Array>(a: T): T => (rows >= cap / 2 ? (a.subarray(0, rows) as T) : (a.slice(0, rows) as T));
  const columns: Column[] = names.map((name, c) => {
    const arr = nums[c];
    if (arr) return { name, kind: 'number', values: trim(arr), invalid: invalid[c] as number };
    return lazyTextColumn(name, { bytes: u, starts: trim(starts[c] as Uint32Array), ends: trim(ends[c] as Uint32Array), encoding });
  });
  return { columns, rows, warnings: [] };
}

/** A text column whose strings are only made if someone reads `values` (time parsing does not). */
function lazyTextColumn(name: string, raw: RawText): Column {
  let cache: string[] | undefined;
  return {
    name,
    kind: 'text',
    raw,
    get values(): string[] {
      if (cache === undefined) {
        const b = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
        cache = Array.from(raw.starts, (s, i) => b.toString(raw.encoding, s, raw.ends[i]));
      }
      return cache;
    },
  };
}

function shortestLine(rows: string[][]): number {
  let min = Infinity;
  for (const r of rows) min = Math.min(min, r.reduce((a, f) => a + f.length, 0) + r.length);
  return Number.isFinite(min) ? min : 16;
}

function countByte(u: Uint8Array, c: number, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) if (u[i] === c) n++;
  return n;
}
