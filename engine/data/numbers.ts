/**
 * Number parsing for CSV cells without allocating: the scanner passes offsets into the decoded
 * text and this reads digits with charCodeAt. Long mantissas (ETTh1 writes 16-17 digits) lose at
 * most a couple of ulps of float64, far below the float32 the prepared arrays keep; anything the
 * fast reader does not recognise (hex, "Infinity", odd spacing) goes through Number() instead.
 */

export const POW10: Float64Array = (() => {
  const p = new Float64Array(309);
  for (let i = 0; i < p.length; i++) p[i] = Number(`1e${i}`);
  return p;
})();

/** Cells that mean "missing" in common exports (pandas, R, Excel, SQL dumps). */
const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a', '#n/a', '-', '?', 'missing', '.']);

export function isMissingToken(s: string): boolean {
  return s.length <= 7 && MISSING.has(s.trim().toLowerCase());
}

/**
 * Returned for text that is not a number at all (as opposed to a missing cell, which is NaN).
 * A number rather than a symbol: a function that always returns doubles keeps them unboxed,
 * which avoids one heap allocation per cell. Infinite inputs are refused, so it is unambiguous.
 */
export const INVALID = Number.NEGATIVE_INFINITY;

/** Parses text[start, end) as a number: NaN for a missing token, INVALID for other text. */
export function parseNumberAt(text: string, start: number, end: number, decimalComma: boolean): number {
  // Trim spaces; spreadsheets pad cells.
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  if (start === end) return NaN;
  const dot = decimalComma ? 44 : 46;
  let i = start;
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  while (i < end) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mant = mant * 10 + (c - 48);
    digits++;
    i++;
  }
  if (i < end && text.charCodeAt(i) === dot) {
    i++;
    while (i < end) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mant = mant * 10 + (c - 48);
      digits++;
      scale++;
      i++;
    }
  }
  if (digits === 0) return slowNumber(text.slice(start, end), decimalComma);
  let exp = 0;
  if (i < end) {
    c = text.charCodeAt(i);
    if (c !== 101 && c !== 69) return slowNumber(text.slice(start, end), decimalComma);
    i++;
    let eneg = false;
    c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    let ed = 0;
    while (i < end) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return INVALID;
      exp = exp * 10 + (c - 48);
      ed++;
      i++;
    }
    if (ed === 0) return INVALID;
    if (eneg) exp = -exp;
  }
  const e = exp - scale;
  // Beyond 2^53 or extreme exponents the digit accumulation is not trustworthy: use the exact path.
  if (digits > 19 || e < -300 || e > 300) return slowNumber(text.slice(start, end), decimalComma);
  let v: number;
  if (e === 0) v = mant;
  else if (e > 0) v = mant * (POW10[e] as number);
  else v = mant / (POW10[-e] as number);
  return neg ? -v : v;
}

/**
 * Digit grouping, consistent with the decimal mark: with a decimal point, groups of three are
 * separated by commas (9,553 or 1,234,567.5); with a decimal comma, by dots (1.234,5). Spaces
 * (also no-break and narrow no-break) and apostrophes group in either (1 234,5; 1'234.5). The
 * groups must be exactly three digits, so "1,5" is never read as 15.
 */
const GROUPED_POINT = /^[+-]?\d{1,3}(?:([,\u0020\u00a0\u202f'])\d{3})(?:\1\d{3})*(?:\.\d+)?$/;
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:([.\u0020\u00a0\u202f'])\d{3})(?:\1\d{3})*(?:,\d+)?$/;
const GROUP_CHARS = /[,.\u0020\u00a0\u202f']/g;

function ungroup(t: string, decimalComma: boolean): string | undefined {
  if (decimalComma) {
    if (!GROUPED_COMMA.test(t)) return undefined;
    const i = t.lastIndexOf(',');
    return i < 0 ? t.replace(GROUP_CHARS, '') : `${t.slice(0, i).replace(GROUP_CHARS, '')}.${t.slice(i + 1)}`;
  }
  if (!GROUPED_POINT.test(t)) return undefined;
  const i = t.lastIndexOf('.');
  return i < 0 ? t.replace(GROUP_CHARS, '') : `${t.slice(0, i).replace(GROUP_CHARS, '')}.${t.slice(i + 1)}`;
}

function slowNumber(s: string, decimalComma: boolean): number {
  let t = s.trim();
  if (isMissingToken(t)) return NaN;
  const plain = ungroup(t, decimalComma);
  if (plain !== undefined) t = plain;
  else if (decimalComma) t = t.replace(',', '.');
  const v = Number(t);
  if (Number.isNaN(v) || t === '') return INVALID;
  if (!Number.isFinite(v)) return INVALID;
  return v;
}

/** Convenience for whole strings (csv-parse records, header sniffing). */
export function parseNumber(s: string, decimalComma = false): number {
  return parseNumberAt(s, 0, s.length, decimalComma);
}
