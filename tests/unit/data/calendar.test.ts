/**
 * Calendar grids: monthly, month-end, quarterly, yearly and business-day series keep their exact
 * dates and every row; forced calendar frequencies are accepted; an irregular series gets the
 * finest regular step that keeps every row instead of averaging.
 */
import { describe, expect, it } from 'vitest';
import { parseFrequency } from '../../../engine/data/index.js';
import { formatCalendar } from '../../../engine/data/frequency.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { csvOf, prepareText, unscaled } from './helpers.js';

const ym = (i: number, y0 = 1958, m0 = 2): string => {
  const m = m0 + i;
  return `${y0 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
};

describe('calendar frequencies', () => {
  it('keeps 741 monthly rows on a month grid with exact dates (not a 31-day grid)', async () => {
    const rows = Array.from({ length: 741 }, (_, i) => [ym(i), 315 + i * 0.1 + 3 * Math.sin((2 * Math.PI * i) / 12)]);
    const { dataset, summary } = await prepareText(csvOf(['month', 'co2'], rows));
    expect(summary.timeFormat).toBe('year_month');
    expect(summary.rows).toBe(741);
    expect(summary.frequency).toMatchObject({ text: '1 month', regular: true, calendar: { unit: 'month', step: 1 } });
    expect(dataset.meta.calendar).toEqual({ unit: 'month', step: 1 });
    for (const i of [0, 1, 11, 400, 740]) expect(dataset.times[i]).toBe(Date.UTC(1958, 2 + i, 1));
  });

  it('recognises month-end dates and keeps each month’s last day', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [new Date(Date.UTC(2000, i + 1, 0)).toISOString().slice(0, 10), i]);
    const { dataset, summary } = await prepareText(csvOf(['date', 'x'], rows));
    expect(summary.frequency.calendar).toEqual({ unit: 'month', step: 1 });
    expect(dataset.times[1]).toBe(Date.UTC(2000, 1, 29));
    expect(dataset.times[29]).toBe(Date.UTC(2002, 5, 30));
  });

  it('puts a monthly series with a missing month on the grid with a gap, not a shifted date', async () => {
    const rows = Array.from({ length: 24 }, (_, i) => [ym(i, 2000, 0), i]).filter((_, i) => i !== 7);
    const { dataset, summary } = await prepareText(csvOf(['date', 'x'], rows));
    expect(summary.rows).toBe(24);
    expect(summary.gaps.count).toBe(1);
    expect(dataset.times[7]).toBe(Date.UTC(2000, 7, 1));
    expect(unscaled(dataset, 0)[8]).toBeCloseTo(8, 5);
  });

  it('detects quarters and years', async () => {
    const q = Array.from({ length: 20 }, (_, i) => [`${2000 + Math.floor(i / 4)}-Q${(i % 4) + 1}`, i % 4]);
    const quarterly = await prepareText(csvOf(['quarter', 'gdp'], q));
    expect(quarterly.summary.frequency).toMatchObject({ text: '1 quarter', calendar: { unit: 'quarter', step: 1 } });
    expect(quarterly.dataset.times[5]).toBe(Date.UTC(2001, 3, 1));
    const y = Array.from({ length: 170 }, (_, i) => [1850 + i, Math.sin(i)]);
    const yearly = await prepareText(csvOf(['year', 'anomaly'], y));
    expect(yearly.summary.frequency).toMatchObject({ text: '1 year', regular: true, calendar: { unit: 'year', step: 1 } });
    expect(yearly.summary.rows).toBe(170);
    expect(yearly.dataset.times[169]).toBe(Date.UTC(2019, 0, 1));
  });

  it('detects business days; a holiday is a gap, weekends are not', async () => {
    const days: string[] = [];
    for (let t = Date.UTC(2024, 0, 1); days.length < 60; t += 86_400_000) {
      const wd = new Date(t).getUTCDay();
      if (wd !== 0 && wd !== 6) days.push(new Date(t).toISOString().slice(0, 10));
    }
    const holiday = days.splice(10, 1)[0] as string;
    const { dataset, summary } = await prepareText(csvOf(['Date', 'Close'], days.map((d, i) => [d, 100 + i])));
    expect(summary.frequency).toMatchObject({ text: '1 business day', calendar: { unit: 'business_day', step: 1 } });
    expect(summary.rows).toBe(60);
    expect(summary.gaps.count).toBe(1);
    expect(new Date(dataset.times[10] as number).toISOString().slice(0, 10)).toBe(holiday);
  });

  it('keeps weekly data on a 1-week grid anchored at its own weekday', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [new Date(Date.UTC(2024, 0, 7) + i * 7 * 86_400_000).toISOString().slice(0, 10), i]);
    const { dataset, summary } = await prepareText(csvOf(['week', 'sales'], rows));
    expect(summary.frequency).toMatchObject({ text: '1 week', regular: true });
    expect(dataset.times[0]).toBe(Date.UTC(2024, 0, 7));
  });

  it('accepts calendar frequencies when forced', async () => {
    expect(parseFrequency('1mo').calendar).toEqual({ unit: 'month', step: 1 });
    expect(parseFrequency('3mo').calendar).toEqual({ unit: 'month', step: 3 });
    expect(parseFrequency('1q').calendar).toEqual({ unit: 'quarter', step: 1 });
    expect(parseFrequency('1y').calendar).toEqual({ unit: 'year', step: 1 });
    expect(parseFrequency('1b').calendar).toEqual({ unit: 'business_day', step: 1 });
    expect(parseFrequency('1w')).toEqual({ ms: 604_800_000 });
    expect(() => parseFrequency('1m')).toThrow(GenAutoMLError);
    // What list_datasets prints for a calendar grid reads back as the same grid.
    for (const text of ['1mo', '3mo', '1q', '2y', '1b']) expect(formatCalendar(parseFrequency(text).calendar!)).toBe(text);
    // Daily values forced onto months: each month's mean, dated the 1st.
    const rows = Array.from({ length: 366 }, (_, i) => [new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).getUTCMonth()]);
    const { dataset, summary } = await prepareText(csvOf(['date', 'm'], rows), { frequency: '1mo' });
    expect(summary.rows).toBe(12);
    expect(summary.frequency).toMatchObject({ text: '1 month', forced: true });
    expect(dataset.times[11]).toBe(Date.UTC(2024, 11, 1));
    expect(unscaled(dataset, 0)[11]).toBeCloseTo(11, 5);
  });
});

describe('choosing a fixed grid that keeps data', () => {
  it('keeps hourly counts with irregular gaps hourly instead of averaging them into 3 hours', async () => {
    // Hours present in an irregular pattern: steps of 1, 2, 3 and 5 hours, none dominant.
    const hours: number[] = [];
    for (let h = 0, k = 0; hours.length < 80; k++) {
      hours.push(h);
      h += [1, 3, 2, 5, 3, 1, 2, 3][k % 8] as number;
    }
    const rows = hours.map((h, i) => [new Date(Date.UTC(2024, 0, 1) + h * 3_600_000).toISOString(), i]);
    const { summary } = await prepareText(csvOf(['time', 'count'], rows));
    expect(summary.frequency.ms).toBe(3_600_000);
    expect(summary.binnedRows).toBe(0);
    expect(summary.sourceRows).toBe(80);
  });
});
