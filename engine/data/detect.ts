/**
 * Format detection and text decoding. Parquet announces itself with "PAR1" at both ends; anything
 * else must be readable text, and binary that is not Parquet is refused here with a clear code
 * rather than surfacing later as "no numeric column".
 */
import { GenAutoMLError } from '../errors.js';
import type { SourceFormat } from './table.js';

export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) return 'parquet';
  return 'csv';
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
  return new GenAutoMLError('data.not_text', 'The file is neither Parquet nor readable text (CSV).', {
    hint: 'Upload a CSV (UTF-8) or Parquet file; compressed or spreadsheet files (.gz, .xlsx) must be exported to CSV first.',
  });
}
