/**
 * Format detection and text decoding. Parquet announces itself with "PAR1" at both ends; anything
 * else must be readable text (UTF-8, Latin-1 or UTF-16, which is decoded first), and binary that is
 * not Parquet is refused here with a clear code rather than surfacing later as "no numeric column".
 */
import { GenAutoMLError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { SourceFormat } from './table.js';

/** True when `bytes` starts with "PAR1", the four bytes that open and close every Parquet file. */
export function isParquetMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}

/**
 * The format from the bytes themselves: Parquet by its magic, JSON by its first character, and
 * everything else taken as CSV text. Files that are clearly something else (a web page, an
 * archive, a spreadsheet) are refused here by name, each with what to do instead, rather than
 * failing later as "no timestamp" or "not text".
 */
export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (isParquetMagic(bytes)) return 'parquet';
  refuseKnownNonData(bytes);
  const first = firstTextChar(bytes);
  if (first === '{' || first === '[') return 'json';
  return 'csv';
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** The first non-blank character of UTF-8/ASCII text (after a byte-order mark), lower-cased. */
function firstTextChar(bytes: Uint8Array): string {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++;
  return i < bytes.length ? String.fromCharCode(bytes[i] as number).toLowerCase() : '';
}

function refuseKnownNonData(bytes: Uint8Array): void {
  const named = (code: ErrorCode, what: string, hint: string): GenAutoMLError => new GenAutoMLError(code, what, { hint });
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
    if (head.includes('xl/') || head.includes('[Content_Types].xml')) {
      throw named('data.spreadsheet', 'The file is an Excel workbook (.xlsx), not CSV or Parquet.', 'Open it and save the sheet as CSV (File → Save As → CSV UTF-8), then load the CSV.');
    }
    throw named('data.zip_file', 'The file is a ZIP archive, not CSV or Parquet.', 'Unzip it and load the CSV or Parquet file inside.');
  }
  if (startsWith(bytes, [0x1f, 0x8b])) {
    throw named('data.compressed', 'The file is gzip-compressed.', 'Decompress it first (gunzip file.csv.gz), then load the CSV.');
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw named('data.spreadsheet', 'The file is an old Excel workbook (.xls), not CSV or Parquet.', 'Open it and save the sheet as CSV, then load the CSV.');
  }
  if (startsWith(bytes, [0x42, 0x5a, 0x68]) || startsWith(bytes, [0x28, 0xb5, 0x2f, 0xfd]) || startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) {
    throw named('data.compressed', 'The file is compressed (bzip2, zstd or xz).', 'Decompress it first, then load the CSV or Parquet file.');
  }
  if (firstTextChar(bytes) !== '<') return;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 2048)).toString('latin1').trimStart().toLowerCase();
  if (/^<!doctype html|^<html|<html[\s>]|<head[\s>]|<body[\s>]/.test(head)) {
    throw named(
      'data.html',
      'The file is an HTML web page, not a data file.',
      'A download link often returns a page (a login, a preview or an error); use the direct link to the raw CSV or Parquet file, or save the file and upload it.',
    );
  }
  throw named('data.xml', 'The file is XML, which is not supported.', 'Export the data as CSV (or Parquet) and load that.');
}

/**
 * UTF-16 text (Excel's "Unicode text" export, PowerShell redirects) turned into UTF-8 bytes, so
 * every later stage sees ordinary text; undefined when the bytes are not UTF-16.
 */
export function fromUtf16(bytes: Uint8Array): { bytes: Uint8Array; warning: string } | undefined {
  let encoding: 'utf-16le' | 'utf-16be' | undefined;
  let offset = 0;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, offset] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, offset] = ['utf-16be', 2];
  else {
    // No byte-order mark: ASCII-range text in UTF-16 has a NUL in every other byte.
    const n = Math.min(bytes.length, 4096) & ~1;
    if (n < 8) return undefined;
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (bytes[i] === 0) evenNul++;
      if (bytes[i + 1] === 0) oddNul++;
    }
    if (oddNul > n * 0.4 && evenNul === 0) encoding = 'utf-16le';
    else if (evenNul > n * 0.4 && oddNul === 0) encoding = 'utf-16be';
  }
  if (encoding === undefined) return undefined;
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(offset, offset + ((bytes.length - offset) & ~1)));
  } catch {
    return undefined;
  }
  return { bytes: new Uint8Array(Buffer.from(text, 'utf8')), warning: `The file is ${encoding.toUpperCase()} text; it was decoded as such.` };
}

export interface DecodedText {
  text: string;
  warnings: string[];
}

export interface TextInfo {
  /** How to turn bytes into text: ASCII files count as utf8 (identical for every byte). */
  encoding: 'utf8' | 'latin1';
  ascii: boolean;
  /** Bytes to skip at the start (a UTF-8 byte-order mark). */
  offset: number;
  warnings: string[];
}

/**
 * Checks that bytes are text and finds their encoding without decoding them: the CSV fast path
 * scans bytes directly (delimiters, digits and newlines are ASCII in UTF-8 and Latin-1 alike).
 */
export function inspectText(bytes: Uint8Array): TextInfo {
  if (bytes.length === 0 || isBlank(bytes)) {
    throw new GenAutoMLError('data.empty_file', 'The file is empty.', { hint: 'Check that the upload or export finished.' });
  }
  const sample = bytes.subarray(0, 65536);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i] as number;
    if (b === 0) throw notText();
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  // UTF-16 files would also trip the NUL check; random bytes trip this one.
  if (control > sample.length * 0.05) throw notText();
  const offset = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (isAscii(bytes)) return { encoding: 'utf8', ascii: true, offset, warnings: [] };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { encoding: 'utf8', ascii: false, offset, warnings: [] };
  } catch {
    // Spreadsheet exports on Windows are often Windows-1252; latin1 keeps digits and separators intact.
    return {
      encoding: 'latin1',
      ascii: false,
      offset,
      warnings: ['The file is not valid UTF-8; it was read as Latin-1 (Windows-1252), which may garble non-ASCII names.'],
    };
  }
}

/** Whole-file decoding, for the quoted CSV path (csv-parse needs a string). */
export function decodeText(bytes: Uint8Array): DecodedText {
  const info = inspectText(bytes);
  return { text: decodeRange(bytes, info.offset, bytes.length, info.encoding), warnings: info.warnings };
}

export function decodeRange(bytes: Uint8Array, start: number, end: number, encoding: 'utf8' | 'latin1'): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding, start, end);
}

export function isAscii(bytes: Uint8Array): boolean {
  // Four bytes at a time where alignment allows; the high bit of any byte marks non-ASCII.
  const n = bytes.byteLength;
  let i = 0;
  if (bytes.byteOffset % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2);
    for (let w = 0; w < words.length; w++) if (((words[w] as number) & 0x80808080) !== 0) return false;
    i = words.length * 4;
  }
  for (; i < n; i++) if ((bytes[i] as number) & 0x80) return false;
  return true;
}

function isBlank(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b !== 32 && b !== 9 && b !== 10 && b !== 13 && !(i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) return false;
  }
  return bytes.length <= 4096;
}

function notText(): GenAutoMLError {
  return new GenAutoMLError('data.not_text', 'The file is binary: neither Parquet, JSON nor readable text (CSV), and not a format recognised by its signature.', {
    hint: 'Upload a CSV (UTF-8 or UTF-16), JSON or Parquet file; other formats must be exported to CSV first.',
  });
}
