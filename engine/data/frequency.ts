/** Frequencies in the forms people type ("10min", "1h", "1mo", "1q") and back into words. */
import { GenAutoMLError } from '../errors.js';
import type { CalendarFrequency, CalendarUnit } from './calendar.js';
import { describeCalendar, nominalMs } from './calendar.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  t: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const CALENDAR_UNITS: Record<string, CalendarUnit> = {
  mo: 'month', mon: 'month', month: 'month', months: 'month',
  q: 'quarter', qtr: 'quarter', quarter: 'quarter', quarters: 'quarter',
  y: 'year', yr: 'year', year: 'year', years: 'year', a: 'year',
  b: 'business_day', bd: 'business_day', bday: 'business_day', business_day: 'business_day', business_days: 'business_day', businessday: 'business_day',
};

export interface Frequency {
  /** The step in ms; for a calendar frequency its mean length (a month is 30.44 days). */
  ms: number;
  calendar?: CalendarFrequency;
}

/**
 * "10min" → 600000 ms; "1mo", "1q", "1y", "1b" → calendar months, quarters, years, business days
 * (a grid made by calendar arithmetic, not a fixed number of milliseconds).
 */
export function parseFrequency(text: string): Frequency {
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-z_]+)\s*$/i.exec(text);
  const word = (m?.[2] ?? '').toLowerCase();
  const unit = UNITS[word];
  const cal = CALENDAR_UNITS[word];
  const count = m?.[1] === undefined ? 1 : Number(m[1]);
  if (cal !== undefined && Number.isInteger(count) && count > 0) {
    const calendar: CalendarFrequency = { unit: cal, step: count };
    return { ms: nominalMs(calendar), calendar };
  }
  if (unit === undefined || !(count > 0)) {
    throw new GenAutoMLError('data.bad_frequency', `"${text}" is not a frequency.`, {
      hint: 'Use a number and a unit: 500ms, 15s, 10min, 1h, 1d, 1w, or a calendar unit: 1b (business day), 1mo, 1q, 1y.',
    });
  }
  return { ms: Math.round(count * unit) };
}

const CALENDAR_SHORT: Record<CalendarUnit, string> = { month: 'mo', quarter: 'q', year: 'y', business_day: 'b' };

/** A calendar grid in the form parseFrequency reads ("1mo", "1q"); its ms is only a mean length. */
export function formatCalendar(f: CalendarFrequency): string {
  return `${f.step}${CALENDAR_SHORT[f.unit]}`;
}

/** A frequency in words: "1 hour", "1 month", "2 quarters". */
export function describeFrequency(f: Frequency): string {
  return f.calendar ? describeCalendar(f.calendar) : describeDuration(f.ms);
}

/** `steps` grid steps in words: 12 months, 4 quarters, 24 hours. */
export function describeSteps(f: Frequency, steps: number): string {
  return f.calendar ? describeCalendar(f.calendar, steps * f.calendar.step) : describeDuration(Math.round(steps * f.ms));
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
