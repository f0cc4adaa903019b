/** Durations in the forms people type ("10min", "1h", "15s") and back into words. */
import { GenAutoMLError } from '../errors.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  t: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** "10min" → 600000. Months and years are refused: they are not a fixed number of milliseconds. */
export function parseFrequency(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  const count = m?.[1] === undefined ? 1 : Number(m[1]);
  if (unit === undefined || !(count > 0)) {
    throw new GenAutoMLError('data.bad_frequency', `"${text}" is not a frequency.`, {
      hint: 'Use a number and a unit: 500ms, 15s, 10min, 1h, 1d, 1w (months are not a fixed length).',
    });
  }
  return Math.round(count * unit);
}

const WORDS: [number, string][] = [
  [604_800_000, 'week'],
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
  [1, 'millisecond'],
];

/** 3600000 → "1 hour", 900000 → "15 minutes", 5400000 → "90 minutes". */
export function describeDuration(ms: number): string {
  for (const [size, word] of WORDS) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${word}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} milliseconds`;
}
