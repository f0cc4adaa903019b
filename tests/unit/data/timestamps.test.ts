import { describe, expect, it } from 'vitest';
import { parseDayMonthTime, parseEpochTimes, parseIsoTime, parseTextTimes } from '../../../engine/data/index.js';

const U = Date.UTC;

describe('ISO 8601 and YYYY-MM-DD HH:MM:SS', () => {
  it.each([
    ['2024-03-05', U(2024, 2, 5)],
    ['2024-03-05 13:45:10', U(2024, 2, 5, 13, 45, 10)],
    ['2024-03-05T13:45', U(2024, 2, 5, 13, 45)],
    ['2024-03-05T13:45:10.250', U(2024, 2, 5, 13, 45, 10, 250)],
    ['2024-03-05T13:45:10Z', U(2024, 2, 5, 13, 45, 10)],
    ['2024-03-05T13:45:10+02:00', U(2024, 2, 5, 11, 45, 10)],
    ['2024-03-05T13:45:10-0530', U(2024, 2, 5, 19, 15, 10)],
    ['2024-03-05 13:45:10 UTC', U(2024, 2, 5, 13, 45, 10)],
    ['2024/3/5 01:02:03', U(2024, 2, 5, 1, 2, 3)],
  ])('%s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each(['2024-02-30', '2024-13-01', '2024-01-01 25:00', '2024-01-01T10', 'yesterday', '2024-01-01 10:00 nonsense'])('refuses %s', (text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseIsoTime('2024-02-29')).toBe(U(2024, 1, 29));
    expect(parseIsoTime('2023-02-29')).toBeNaN();
  });
});

describe('DD/MM/YYYY and MM/DD/YYYY', () => {
  it('parses both orders with time', () => {
    expect(parseDayMonthTime('05/03/2024 13:00', 'dmy')).toBe(U(2024, 2, 5, 13));
    expect(parseDayMonthTime('05/03/2024 13:00', 'mdy')).toBe(U(2024, 4, 3, 13));
    expect(parseDayMonthTime('31.12.2023', 'dmy')).toBe(U(2023, 11, 31));
  });

  it('takes day-first when a first field is above 12', () => {
    const r = parseTextTimes(['12/01/2024', '13/01/2024', '14/01/2024']);
    expect(r?.format).toBe('dmy');
    expect(r?.times[1]).toBe(U(2024, 0, 13));
  });

  it('takes month-first when a second field is above 12', () => {
    const r = parseTextTimes(['01/12/2024', '01/13/2024', '01/14/2024']);
    expect(r?.format).toBe('mdy');
    expect(r?.times[1]).toBe(U(2024, 0, 13));
  });

  it('decides an all-ambiguous column by which order is regular', () => {
    // Daily steps in month-first order: 01/01, 01/02, ... 01/10 (each field ≤ 12).
    const mdy = Array.from({ length: 10 }, (_, i) => `01/${String(i + 1).padStart(2, '0')}/2024`);
    const r = parseTextTimes(mdy);
    expect(r?.format).toBe('mdy');
    expect(r?.warnings[0]).toMatch(/month-first/);
    const dmy = Array.from({ length: 10 }, (_, i) => `${String(i + 1).padStart(2, '0')}/01/2024`);
    expect(parseTextTimes(dmy)?.format).toBe('dmy');
  });

  it('honours an explicit order', () => {
    expect(parseTextTimes(['01/02/2024', '01/03/2024'], 'mdy')?.times[0]).toBe(U(2024, 0, 2));
  });

  it('refuses a column whose fields contradict each other', () => {
    expect(parseTextTimes(['13/01/2024', '01/14/2024'])).toBeUndefined();
  });
});

describe('zones', () => {
  it('takes naive times as UTC without a warning', () => {
    const r = parseTextTimes(['2024-01-01 00:00:00', '2024-01-01 01:00:00']);
    expect(r?.zone).toBeUndefined();
    expect(r?.warnings).toEqual([]);
  });

  it('converts a single offset to UTC', () => {
    const r = parseTextTimes(['2024-01-01T02:00:00+02:00', '2024-01-01T03:00:00+02:00']);
    expect(r?.times[0]).toBe(U(2024, 0, 1));
    expect(r?.zone).toMatch(/UTC\+02:00, converted/);
    expect(r?.warnings).toEqual([]);
  });

  it('normalises mixed zones to UTC with a warning', () => {
    const r = parseTextTimes(['2024-01-01T00:00:00Z', '2024-01-01T03:00:00+02:00', '2024-01-01T02:00:00']);
    expect(Array.from(r?.times ?? [])).toEqual([U(2024, 0, 1), U(2024, 0, 1, 1), U(2024, 0, 1, 2)]);
    expect(r?.zone).toMatch(/mixed/);
    expect(r?.warnings[0]).toMatch(/mix time zones/);
  });
});

describe('epochs and failures', () => {
  it('reads seconds and milliseconds from the magnitude', () => {
    expect(parseEpochTimes(Float64Array.from([1_700_000_000, 1_700_003_600]))?.times[1]).toBe(1_700_003_600_000);
    expect(parseEpochTimes(Float64Array.from([1_700_000_000_000]))?.format).toBe('epoch_ms');
    expect(parseEpochTimes(Float64Array.from([1_700_000_000_000_000]))?.times[0]).toBe(1_700_000_000_000);
  });

  it('does not take small numbers for epochs', () => {
    expect(parseEpochTimes(Float64Array.from([0, 1, 2]))).toBeUndefined();
  });

  it('refuses a column of mostly non-dates, and tolerates a few bad cells', () => {
    expect(parseTextTimes(['a', 'b', '2024-01-01'])).toBeUndefined();
    const many = Array.from({ length: 30 }, (_, i) => (i === 5 ? 'bad' : `2024-01-${String((i % 28) + 1).padStart(2, '0')}`));
    const r = parseTextTimes(many);
    expect(r?.invalid).toBe(1);
    expect(r?.times[5]).toBeNaN();
  });
});
