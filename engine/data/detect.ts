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

export function decodeText(bytes: Uint8Array): DecodedText {
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
  const warnings: string[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Spreadsheet exports on Windows are often Windows-1252; latin1 keeps digits and separators intact.
    text = new TextDecoder('latin1').decode(bytes);
    warnings.push('The file is not valid UTF-8; it was read as Latin-1 (Windows-1252), which may garble non-ASCII names.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, warnings };
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
