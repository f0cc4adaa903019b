/** Human-friendly numbers and durations for the report text. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function trim(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/**
 * Duration label. Hours are kept up to 72 h because "24 h" and "48 h" read more naturally for
 * daily cycles than "1 d"; longer spans switch to days.
 */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < SECOND) return `${trim(ms)} ms`;
  if (a < MINUTE) return `${trim(ms / SECOND)} s`;
  if (a < HOUR) return `${trim(ms / MINUTE)} min`;
  if (a <= 72 * HOUR) return `${trim(ms / HOUR)} h`;
  return `${trim(ms / DAY)} d`;
}

/** Fixed significant digits without exponent noise for moderate magnitudes. */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}
