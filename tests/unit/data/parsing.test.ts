/**
 * Dates and numbers as real exports write them: month names in the common orders, bare years,
 * year-month and year-quarter, Excel serial days, YYYYMMDD integers, digit grouping consistent
 * with the decimal mark, and JSON tables (records, columns, split, JSON Lines).
 */
import { describe, expect, it } from 'vitest';
import { parseBytes, parseOptions, parseTextTimes, prepareTable } from '../../../engine/data/index.js';
import { parseMonthName } from '../../../engine/data/timestamps.js';
import { parseNumber } from '../../../engine/data/numbers.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { csvOf, prepareText, unscaled } from './helpers.js';

const day = (y: number, m: number, d: number, h = 0, mi = 0): number => Date.UTC(y, m - 1, d, h, mi);

describe('month-name dates', () => {
  it.each([
    ['Jan 1 2000', day(2000, 1, 1)],
    ['January 1, 2000', day(2000, 1, 1)],
    ['1 January 2000', day(2000, 1, 1)],
    ['1-Jan-2000', day(2000, 1, 1)],
    ['2000-Jan-01', day(2000, 1, 1)],
    ['01-JAN-00', day(2000, 1, 1)],
    ['15-Mar-99', day(1999, 3, 15)],
    ['Sept 30 2021', day(2021, 9, 30)],
    ['Mon, 3 Jan 2000', day(2000, 1, 3)],
    ['3rd of February 2010', day(2010, 2, 3)],
    ['Dec 2019', day(2019, 12, 1)],
    ['Jan 1 2000 13:45', day(2000, 1, 1, 13, 45)],
    ['Jan 1, 2000 1:45 PM', day(2000, 1, 1, 13, 45)],
    ['1 Jan 2000 12:00 am', day(2000, 1, 1, 0, 0)],
  ])('%s', (text, want) => {
    expect(parseMonthName(text)).toBe(want);
  });

  it.each(['Feb 30 2000', 'Jan 1 2000 2001', 'Foo 1 2000', 'Jan 40 2000', 'Jan 1 2000 13:00 pm'])('refuses %s', (text) => {
    expect(parseMonthName(text)).toBeNaN();
  });

  it('loads a daily file of "Jan 1 2000"-style dates end to end', async () => {
    const names = ['Jan', 'Feb', 'Mar'];
    const rows = Array.from({ length: 60 }, (_, i) => {
      const d = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000);
      return [`"${names[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}"`, i];
    });
    const { dataset, summary } = await prepareText(csvOf(['Date', 'Close'], rows));
    expect(summary.timeFormat).toBe('month_name');
    expect(summary.frequency).toMatchObject({ ms: 86_400_000, regular: true });
    expect(dataset.times[0]).toBe(day(2000, 1, 1));
    expect(dataset.times[59]).toBe(day(2000, 2, 29));
  });

  it('detects a header row above "1 January 2000" cells', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`${i + 1} January 2000`, i * 2]);
    const { summary } = await prepareText(csvOf(['when', 'x'], rows));
    expect(summary.timeColumn).toBe('when');
    expect(summary.sourceRows).toBe(20);
  });
});

describe('coarse calendar dates', () => {
  it('reads year-month, year-quarter and bare years', () => {
    expect(parseTextTimes(['2000-01', '2000-02', '2000-12'])?.times).toEqual(Float64Array.from([day(2000, 1, 1), day(2000, 2, 1), day(2000, 12, 1)]));
    expect(parseTextTimes(['2000-Q1', '2000Q2', 'Q3 2000'])).toMatchObject({ format: 'year_quarter', times: Float64Array.from([day(2000, 1, 1), day(2000, 4, 1), day(2000, 7, 1)]) });
    expect(parseTextTimes(['1850', '1851'])).toMatchObject({ format: 'year', times: Float64Array.from([day(1850, 1, 1), day(1851, 1, 1)]) });
  });

  it('reads a numeric year column ("1850") as the time index', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [1850 + i, 13.5 + Math.sin(i)]);
    const { dataset, summary } = await prepareText(csvOf(['Year', 'Anomaly'], rows));
    expect(summary.timeColumn).toBe('Year');
    expect(summary.timeFormat).toBe('year');
    expect(dataset.times[0]).toBe(day(1850, 1, 1));
    expect(dataset.meta.columns).toEqual(['Anomaly']);
  });

  it('reads YYYYMMDD integers in a date column', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [20240101 + i, i]);
    const { dataset } = await prepareText(csvOf(['date', 'x'], rows));
    expect(dataset.times[19]).toBe(day(2024, 1, 20));
  });

  it('reads Excel serial dates only when asked, and says so when they look like them', async () => {
    // 36526 = 2000-01-01; the fraction is the time of day.
    const rows = Array.from({ length: 24 }, (_, i) => [36526 + i / 24, i % 5]);
    const text = csvOf(['stamp', 'x'], rows);
    const err = await prepareText(text, { timeColumn: 'stamp' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).hint).toMatch(/excelDates/);
    const { dataset, summary } = await prepareText(text, { timeColumn: 'stamp', excelDates: true });
    expect(summary.timeFormat).toBe('excel_serial');
    expect(dataset.times[0]).toBe(day(2000, 1, 1));
    expect(dataset.times[13]).toBe(day(2000, 1, 1, 13));
    expect(summary.frequency.ms).toBe(3_600_000);
  });
});

describe('digit grouping', () => {
  it.each([
    ['9,553', false, 9553],
    ['1,234,567.25', false, 1234567.25],
    ['-12,000', false, -12000],
    ["1'234.5", false, 1234.5],
    ['1 234.5', false, 1234.5],
    ['1.234,5', true, 1234.5],
    ['1.234.567', true, 1234567],
    ['1 234,5', true, 1234.5],
    ['12,5', true, 12.5],
  ])('%s (decimal comma: %s) → %d', (text, comma, want) => {
    expect(parseNumber(text, comma)).toBe(want);
  });

  it.each([
    ['1,5', false],
    ['12,34', false],
    ['1,2345', false],
    ['1.234,5', false],
    ['1,234.5', true],
    ['1,23,456', false],
  ])('refuses %s (decimal comma: %s) as inconsistent grouping', (text, comma) => {
    expect(Number.isFinite(parseNumber(text, comma))).toBe(false);
  });

  it('reads a quoted "9,553" column as numbers, not text', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`2024-01-${String(i + 1).padStart(2, '0')}`, `"${(9553 + i * 1000).toLocaleString('en-US')}"`]);
    const { dataset, summary } = await prepareText(csvOf(['date', 'cases'], rows));
    expect(summary.dropped).toEqual([]);
    expect(unscaled(dataset, 0)[0]).toBeCloseTo(9553, 2);
    expect(unscaled(dataset, 0)[19]).toBeCloseTo(28553, 2);
  });

  it('reads "1.234,5" in a semicolon file with a decimal comma', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`${String(i + 1).padStart(2, '0')}.01.2024`, `${i + 1}.234,5`]);
    const { dataset, csv } = await prepareText(csvOf(['Datum', 'Wert'], rows, ';'));
    expect(csv?.decimalComma).toBe(true);
    expect(unscaled(dataset, 0)[0]).toBeCloseTo(1234.5, 2);
  });
});

describe('JSON tables', () => {
  const dates = Array.from({ length: 20 }, (_, i) => `2024-01-01T${String(i).padStart(2, '0')}:00:00Z`);
  const load = async (text: string) => {
    const opts = parseOptions({});
    const { table, format } = await parseBytes({ bytes: new TextEncoder().encode(text), name: 'x.json', formatHint: 'unknown' }, opts);
    expect(format).toBe('json');
    return prepareTable(table, opts);
  };

  it('reads records', async () => {
    const { dataset, summary } = await load(JSON.stringify(dates.map((d, i) => ({ date: d, load: i, temp: i % 3 }))));
    expect(dataset.meta.columns).toEqual(['load', 'temp']);
    expect(summary.rows).toBe(20);
  });

  it('reads columns, pandas orient=columns and orient=split, and JSON Lines', async () => {
    const cols = { date: dates, load: dates.map((_, i) => i) };
    expect((await load(JSON.stringify(cols))).summary.rows).toBe(20);
    const pandasCols = { date: Object.fromEntries(dates.map((d, i) => [String(i), d])), load: Object.fromEntries(dates.map((_, i) => [String(i), i * 2])) };
    expect((await load(JSON.stringify(pandasCols))).dataset.meta.columns).toEqual(['load']);
    const split = { columns: ['date', 'load'], index: dates.map((_, i) => i), data: dates.map((d, i) => [d, i]) };
    expect((await load(JSON.stringify(split))).summary.rows).toBe(20);
    const lines = dates.map((d, i) => JSON.stringify({ date: d, load: i })).join('\n');
    const jl = await load(lines);
    expect(jl.summary.warnings.join(' ')).toMatch(/JSON Lines/);
    const wrapped = { data: dates.map((d, i) => ({ date: d, load: i })) };
    expect((await load(JSON.stringify(wrapped))).summary.rows).toBe(20);
  });
});
