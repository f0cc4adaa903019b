/**
 * Long tables in the shapes public datasets come in: a weather table of two cities with several
 * value columns, 14 industries in (series, date, value), sensors reporting in turn at irregular
 * times. Each is pivoted per (series, value column), or refused when it cannot be told apart;
 * nothing is ever averaged across series.
 */
import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { csvOf, prepareText, unscaled } from './helpers.js';

async function failure(p: Promise<unknown>): Promise<GenAutoMLError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GenAutoMLError) return err;
    throw err;
  }
  throw new Error('expected a GenAutoMLError');
}

const isoDay = (i: number): string => new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

describe('long tables', () => {
  it('pivots a two-city weather table to one feature per (city, value column)', async () => {
    const rows: (string | number)[][] = [];
    for (let d = 0; d < 40; d++) {
      for (const [city, base] of [['seattle', 10], ['new york', 20]] as const) {
        rows.push([isoDay(d), city, base + Math.sin(d / 5), base - 5 + Math.cos(d / 5), (d * 7) % 3, d % 2 === 0 ? 'rain' : 'sun']);
      }
    }
    const { dataset, summary } = await prepareText(csvOf(['date', 'location', 'temp_max', 'temp_min', 'precipitation', 'weather'], rows));
    expect(summary.layout).toBe('long');
    expect(dataset.meta.columns).toEqual([
      'location=seattle:temp_max',
      'location=seattle:temp_min',
      'location=seattle:precipitation',
      'location=new york:temp_max',
      'location=new york:temp_min',
      'location=new york:precipitation',
    ]);
    expect(summary.long).toMatchObject({ idColumns: ['location'], valueColumns: ['temp_max', 'temp_min', 'precipitation'], series: 2 });
    expect(summary.long?.note).toMatch(/location and the timestamp form a unique key/);
    expect(summary.rows).toBe(40);
    expect(summary.frequency).toMatchObject({ ms: 86_400_000, regular: true });
    // Seattle's temp_max is 10 + sin(d/5): not mixed with New York's 20 + ….
    expect(unscaled(dataset, 0)[5]).toBeCloseTo(10 + Math.sin(1), 5);
    expect(unscaled(dataset, 3)[5]).toBeCloseTo(20 + Math.sin(1), 5);
    expect(summary.dropped).toContainEqual({ name: 'weather', reason: 'not numeric' });
  });

  it('pivots (series name, date, value) with 14 industries, monthly', async () => {
    const industries = Array.from({ length: 14 }, (_, k) => `Industry ${String.fromCharCode(65 + k)}`);
    const rows: (string | number)[][] = [];
    for (let m = 0; m < 36; m++) {
      const date = `${2000 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
      industries.forEach((name, k) => rows.push([name, date, 100 * (k + 1) + m]));
    }
    const { dataset, summary } = await prepareText(csvOf(['series_name', 'date', 'value'], rows));
    expect(summary.layout).toBe('long');
    expect(dataset.meta.columns).toHaveLength(14);
    expect(dataset.meta.columns[0]).toBe('series_name=Industry A:value');
    expect(summary.sourceRows).toBe(14 * 36);
    expect(summary.rows).toBe(36);
    expect(summary.frequency.calendar).toEqual({ unit: 'month', step: 1 });
    expect(unscaled(dataset, 13)[35]).toBeCloseTo(1400 + 35, 5);
  });

  it('pivots sensors that report in turn at irregular times instead of averaging them onto one grid', async () => {
    // Three sensors, each every 6 minutes, offset by 1 and 3 minutes: timestamps never repeat,
    // and the union of the times is irregular.
    const rows: (string | number)[][] = [];
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 30; i++) {
      for (const [sensor, offset, level] of [['s1', 0, 1], ['s2', 1, 50], ['s3', 3, 100]] as const) {
        rows.push([new Date(t0 + (i * 6 + offset) * 60_000).toISOString(), sensor, level + (i % 4)]);
      }
    }
    const { dataset, summary } = await prepareText(csvOf(['time', 'sensor', 'value'], rows));
    expect(summary.layout).toBe('long');
    expect(summary.long?.note).toMatch(/interleave in time/);
    expect(dataset.meta.columns).toEqual(['sensor=s1:value', 'sensor=s2:value', 'sensor=s3:value']);
    // Each sensor keeps its own level: nothing of s3 (≈100) leaks into s1 (≈1).
    const s1 = unscaled(dataset, 0).filter((v) => !Number.isNaN(v));
    expect(Math.max(...s1)).toBeLessThan(5);
  });

  it('refuses duplicated (series, time) pairs and names the option, then merges as told', async () => {
    const rows: (string | number)[][] = [];
    for (let d = 0; d < 20; d++) for (const c of ['a', 'b']) rows.push([isoDay(d), c, d]);
    rows.push([isoDay(3), 'a', 100]);
    const text = csvOf(['date', 'store', 'sales'], rows);
    const err = await failure(prepareText(text));
    expect(err.code).toBe('data.long_duplicates');
    expect(err.message).toMatch(/store/);
    expect(err.hint).toMatch(/aggregate: "mean", "sum" or "last"/);
    const sum = await prepareText(text, { aggregate: 'sum' });
    expect(unscaled(sum.dataset, 0)[3]).toBeCloseTo(103, 5);
    const last = await prepareText(text, { aggregate: 'last' });
    expect(unscaled(last.dataset, 0)[3]).toBeCloseTo(100, 5);
    expect(last.summary.warnings.join(' ')).toMatch(/merged with aggregate "last" as asked/);
  });

  it('refuses an ambiguous table, naming the candidate id columns', async () => {
    // Either column alone makes (time, column) unique, and they split the rows differently.
    const rows: (string | number)[][] = [];
    for (let d = 0; d < 20; d++) {
      rows.push([isoDay(d), 'x', 'p', d]);
      rows.push([isoDay(d), 'y', 'q', d + 1]);
      rows.push([isoDay(d), d % 2 === 0 ? 'x' : 'y', 'r', d + 2]);
    }
    // region has 2 values for 3 rows per day: not unique; region + kind is, and kind alone too.
    const text = csvOf(['date', 'region', 'kind', 'v'], rows);
    const out = await prepareText(text);
    expect(out.summary.long?.idColumns).toEqual(['kind']);
    const tie: (string | number)[][] = [];
    for (let d = 0; d < 20; d++) {
      tie.push([isoDay(d), 'x', d % 2 === 0 ? 'p' : 'q', d]);
      tie.push([isoDay(d), 'y', d % 2 === 0 ? 'q' : 'p', d + 1]);
    }
    const err = await failure(prepareText(csvOf(['date', 'region', 'kind', 'v'], tie)));
    expect(err.code).toBe('data.long_ambiguous');
    expect(err.message).toMatch(/region or kind|kind or region/);
    expect(err.hint).toMatch(/idColumns/);
    const chosen = await prepareText(csvOf(['date', 'region', 'kind', 'v'], tie), { idColumns: ['region'] });
    expect(chosen.dataset.meta.columns).toEqual(['region=x:v', 'region=y:v']);
  });

  it('keeps a regular wide table with a text attribute column wide', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [isoDay(i), i % 3 === 0 ? 'holiday' : 'workday', i, i % 5]);
    const { summary } = await prepareText(csvOf(['date', 'kind', 'load', 'temp'], rows));
    expect(summary.layout).toBe('wide');
    expect(summary.columns).toEqual(['load', 'temp']);
  });

  it('selects a value column of a long table by its own name', async () => {
    const rows: (string | number)[][] = [];
    for (let d = 0; d < 20; d++) for (const c of ['a', 'b']) rows.push([isoDay(d), c, d, d * 2]);
    const { dataset } = await prepareText(csvOf(['date', 'city', 'tmax', 'tmin'], rows), { features: ['tmin'] });
    expect(dataset.meta.columns).toEqual(['city=a:tmin', 'city=b:tmin']);
  });
});
