/**
 * Calendar frequencies: months, quarters and years are not a fixed number of milliseconds, and
 * business days skip weekends. A monthly series put on a fixed 31-day grid drifts a day every
 * short month and loses rows; here the grid is made by calendar arithmetic instead, so every
 * date stays exactly what the file said (the 1st of each month, or each month's last day).
 */
import { GenAutoMLError } from '../errors.js';
import type { GridReport, Series } from './grid.js';
import { placeOnSlots } from './grid.js';

export type CalendarUnit = 'month' | 'quarter' | 'year' | 'business_day';

export interface CalendarFrequency {
  unit: CalendarUnit;
  /** Units per grid step (2 months, 1 quarter, …). */
  step: number;
}

const DAY = 86_400_000;
/** Mean Gregorian lengths: what frequencyMs says for consumers that need one number. */
const NOMINAL_MS: Record<CalendarUnit, number> = { month: 2_629_746_000, quarter: 3 * 2_629_746_000, year: 31_556_952_000, business_day: DAY };

export function nominalMs(f: CalendarFrequency): number {
  return NOMINAL_MS[f.unit] * f.step;
}

/** Months per step for the month-based units. */
function monthsPerStep(f: CalendarFrequency): number {
  return f.unit === 'year' ? 12 * f.step : f.unit === 'quarter' ? 3 * f.step : f.step;
}

export function describeCalendar(f: CalendarFrequency, count = f.step): string {
  const word = f.unit === 'business_day' ? 'business day' : f.unit;
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function monthIndex(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function daysInMonth(index: number): number {
  return new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
}

/** Where in its month a time sits: the same day and clock for all, or each month's last day. */
interface MonthAnchor {
  endOfMonth: boolean;
  day: number;
  timeOfDay: number;
}

function anchorOf(times: Float64Array): MonthAnchor | undefined {
  const first = new Date(times[0] as number);
  const timeOfDay = (times[0] as number) - Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
  let sameDay = true;
  let allEnds = true;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    const d = new Date(t);
    if (t - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) !== timeOfDay) return undefined;
    if (d.getUTCDate() !== first.getUTCDate()) sameDay = false;
    if (d.getUTCDate() !== daysInMonth(monthIndex(t))) allEnds = false;
    if (!sameDay && !allEnds) return undefined;
  }
  // "The 31st of every month" is only possible as month ends; prefer that reading.
  return { endOfMonth: allEnds && !(sameDay && first.getUTCDate() <= 28), day: first.getUTCDate(), timeOfDay };
}

function timeAtMonth(index: number, a: MonthAnchor): number {
  const y = Math.floor(index / 12);
  const m = index % 12;
  const day = a.endOfMonth ? daysInMonth(index) : Math.min(a.day, daysInMonth(index));
  return Date.UTC(y, m, day) + a.timeOfDay;
}

/** Weekday 0 = Monday … 6 = Sunday. */
function weekday(t: number): number {
  return (new Date(t).getUTCDay() + 6) % 7;
}

/** Business days from the Monday of the epoch week (1970-01-05 was a Monday) to `t`'s day. */
function businessIndex(t: number): number {
  const days = Math.floor((t - Date.UTC(1970, 0, 5)) / DAY);
  const weeks = Math.floor(days / 7);
  const wd = days - weeks * 7;
  return weeks * 5 + Math.min(wd, 5) - (wd >= 5 ? 1 : 0);
}

function businessTime(index: number, timeOfDay: number): number {
  const weeks = Math.floor(index / 5);
  const wd = index - weeks * 5;
  return Date.UTC(1970, 0, 5) + (weeks * 7 + wd) * DAY + timeOfDay;
}

/**
 * The calendar frequency of sorted, unique times, when they follow one: a modal step of whole
 * months (1 → month, 3 → quarter, 12 → year) at a fixed position in the month, or weekdays only
 * with the Friday-to-Monday jumps of a business-day series. Undefined for anything else.
 */
export function detectCalendar(times: Float64Array): CalendarFrequency | undefined {
  const n = times.length;
  if (n < 3) return undefined;
  const anchor = anchorOf(times);
  if (anchor) {
    const counts = new Map<number, number>();
    for (let i = 1; i < n; i++) {
      const k = monthIndex(times[i] as number) - monthIndex(times[i - 1] as number);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let step = 0;
    let best = 0;
    for (const [k, c] of counts) if (k > 0 && (c > best || (c === best && k < step))) [step, best] = [k, c];
    // Daily data at a fixed clock time also has a fixed "day" only if every row is the same day
    // of month, so a step of 0 months never wins here; at least half the steps must agree.
    if (step > 0 && best >= (n - 1) / 2) {
      if (step % 12 === 0) return { unit: 'year', step: step / 12 };
      if (step % 3 === 0) return { unit: 'quarter', step: step / 3 };
      return { unit: 'month', step };
    }
  }
  // Business days: no weekend rows, steps of one business day (Fri → Mon is one) dominate, and
  // the weekend jump actually occurs (otherwise it is plain daily data).
  const tod = (times[0] as number) - Math.floor((times[0] as number) / DAY) * DAY;
  let one = 0;
  let weekendJumps = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i] as number;
    if (weekday(t) >= 5 || t - Math.floor(t / DAY) * DAY !== tod) return undefined;
    if (i > 0) {
      const k = businessIndex(t) - businessIndex(times[i - 1] as number);
      if (k === 1) one++;
      if (k === 1 && t - (times[i - 1] as number) === 3 * DAY) weekendJumps++;
    }
  }
  if (n >= 10 && weekendJumps > 0 && one >= (n - 1) * 0.5) return { unit: 'business_day', step: 1 };
  return undefined;
}

/**
 * Places a sorted, unique series on a calendar grid that starts at its first time. A row that
 * is not on a grid date joins the slot it falls in (forced grids), averaged with the others.
 */
export function toCalendarGrid(series: Series, f: CalendarFrequency, maxRows: number): { series: Series; report: GridReport } {
  const { times } = series;
  const n = times.length;
  const t0 = times[0] as number;
  let slotOf: (t: number) => number;
  let timeOf: (slot: number) => number;
  if (f.unit === 'business_day') {
    const tod = t0 - Math.floor(t0 / DAY) * DAY;
    // A weekend row belongs to the Friday before it.
    const base = businessIndex(t0);
    slotOf = (t) => Math.floor((businessIndex(t) - base) / f.step);
    timeOf = (slot) => businessTime(base + slot * f.step, tod);
  } else {
    const k = monthsPerStep(f);
    const anchor = anchorOf(times) ?? anchorOf(Float64Array.of(t0)) ?? { endOfMonth: false, day: 1, timeOfDay: 0 };
    const m0 = monthIndex(t0);
    slotOf = (t) => {
      // Before the anchor day in its month counts as the previous slot's month.
      const m = monthIndex(t);
      const back = t < timeAtMonth(m, anchor) ? 1 : 0;
      return Math.floor((m - back - m0) / k);
    };
    timeOf = (slot) => timeAtMonth(m0 + slot * k, anchor);
  }
  let regular = true;
  for (let i = 0; i < n && regular; i++) if ((times[i] as number) !== timeOf(i)) regular = false;
  const frequencyMs = nominalMs(f);
  if (regular) return { series, report: { frequencyMs, regular: true, binnedRows: 0, gaps: [] } };
  const bins = slotOf(times[n - 1] as number) + 1;
  if (bins > maxRows) {
    throw new GenAutoMLError('data.grid_too_large', `Putting ${n} rows on a ${describeCalendar(f)} grid would need ${bins} rows.`, {
      hint: 'Choose a coarser frequency, or load the part without the gap.',
      details: { rows: n, gridRows: bins, limit: maxRows },
    });
  }
  return placeOnSlots(series, bins, slotOf, timeOf, frequencyMs);
}
