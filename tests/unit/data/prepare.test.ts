import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { computeSplits, fillColumn, parseOptions, prepareOptionsSchema } from '../../../engine/data/index.js';
import { csvOf, hours, prepareText, unscaled } from './helpers.js';

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GenAutoMLError) return err.code;
    throw err;
  }
  return 'no error';
}

/** 20 hourly rows: a rises, b wiggles, c is the "OT" target. */
function basic(n = 20): string {
  return csvOf(
    ['date', 'a', 'b', 'OT'],
    hours(n).map((t, i) => [t, i, (i * 7) % 5, 10 + Math.sin(i)]),
  );
}

describe('columns', () => {
  it('keeps numeric columns, picks OT as target and reports dropped text columns', async () => {
    const text = csvOf(['date', 'site', 'a', 'OT', 'b'], hours(20).map((t, i) => [t, 'x' + (i % 3), i, i % 4, i * 2]));
    const { dataset, summary } = await prepareText(text);
    expect(dataset.meta.columns).toEqual(['a', 'OT', 'b']);
    expect(dataset.meta.target).toBe('OT');
    expect(summary.dropped).toEqual([{ name: 'site', reason: 'not numeric' }]);
    expect(summary.timeColumn).toBe('date');
  });

  it('takes a column named target/value as target, else the last', async () => {
    const v = csvOf(['t', 'value', 'z'], hours(20).map((t, i) => [t, i, i % 3]));
    expect((await prepareText(v)).dataset.meta.target).toBe('value');
    const last = csvOf(['t', 'p', 'q'], hours(20).map((t, i) => [t, i, i % 3]));
    expect((await prepareText(last)).dataset.meta.target).toBe('q');
  });

  it('honours a chosen target and a feature subset (target always kept)', async () => {
    const { dataset, summary } = await prepareText(basic(), { target: 'a', features: ['b'] });
    expect(dataset.meta.columns).toEqual(['a', 'b']);
    expect(dataset.meta.target).toBe('a');
    expect(summary.dropped).toContainEqual({ name: 'OT', reason: 'not selected' });
  });

  it('refuses unknown and non-numeric column names', async () => {
    expect(await errorCode(prepareText(basic(), { target: 'nope' }))).toBe('data.unknown_column');
    expect(await errorCode(prepareText(basic(), { features: ['nope'] }))).toBe('data.unknown_column');
    const withText = csvOf(['date', 'site', 'a'], hours(20).map((t, i) => [t, 's', i]));
    expect(await errorCode(prepareText(withText, { features: ['site'] }))).toBe('data.not_numeric');
    expect(await errorCode(prepareText(basic(), { timeColumn: 'zzz' }))).toBe('data.unknown_column');
  });

  it('drops all-missing and constant columns with warnings', async () => {
    const text = csvOf(['date', 'a', 'empty', 'flat', 'b'], hours(20).map((t, i) => [t, i, '', 3, i % 4]));
    const { dataset, summary } = await prepareText(text);
    expect(dataset.meta.columns).toEqual(['a', 'b']);
    expect(summary.dropped).toEqual([
      { name: 'empty', reason: 'all missing' },
      { name: 'flat', reason: 'constant' },
    ]);
    expect(summary.warnings.join('\n')).toMatch(/empty has no values at all/);
    expect(summary.warnings.join('\n')).toMatch(/flat has the same value/);
  });

  it('keeps a constant column asked for by name, with scale 1 and a warning', async () => {
    const text = csvOf(['date', 'a', 'flat'], hours(20).map((t, i) => [t, i, 3]));
    const { dataset, summary } = await prepareText(text, { features: ['a', 'flat'] });
    expect(dataset.meta.columns).toEqual(['a', 'flat']);
    expect(dataset.meta.scaler.std[1]).toBe(1);
    expect(dataset.meta.scaler.mean[1]).toBe(3);
    expect(summary.warnings.join('\n')).toMatch(/flat is constant in the training split/);
  });

  it('errors when nothing numeric is left', async () => {
    const text = csvOf(['date', 'a'], hours(20).map((t) => [t, 5]));
    expect(await errorCode(prepareText(text))).toBe('data.no_numeric_column');
  });

  it('keeps a label column as labels, not as a feature', async () => {
    const text = csvOf(['date', 'a', 'b', 'is_anomaly'], hours(20).map((t, i) => [t, i, i % 3, i === 7 ? 1 : 0]));
    const { dataset, summary } = await prepareText(text);
    expect(dataset.meta.columns).toEqual(['a', 'b']);
    expect(dataset.meta.hasLabels).toBe(true);
    expect(Array.from(dataset.labels ?? [])).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 1 : 0)));
    expect(summary.labelColumn).toBe('is_anomaly');
    const off = await prepareText(text, { labelColumn: null });
    expect(off.dataset.meta.columns).toEqual(['a', 'b', 'is_anomaly']);
    expect(off.dataset.labels).toBeUndefined();
  });

  it('reads epoch-second timestamps from a time-named column', async () => {
    const t0 = 1_700_000_000;
    const text = csvOf(['timestamp', 'a', 'b'], Array.from({ length: 20 }, (_, i) => [t0 + i * 60, i, i % 3]));
    const { dataset, summary } = await prepareText(text);
    expect(summary.timeFormat).toBe('epoch_s');
    expect(dataset.meta.frequencyMs).toBe(60_000);
    expect(dataset.times[0]).toBe(t0 * 1000);
    expect(summary.frequency.text).toBe('1 minute');
  });

  it('does not take a large numeric column for epochs unless its name says time', async () => {
    const text = csvOf(['when', 'uptime', 'a'], hours(20).map((t, i) => [t, 2e9 + i * 7, i % 3]));
    const { summary, dataset } = await prepareText(text);
    expect(summary.timeColumn).toBe('when');
    expect(dataset.meta.columns).toEqual(['uptime', 'a']);
  });

  it('drops rows with unreadable timestamps and reports them', async () => {
    const ts = hours(20);
    ts[4] = 'garbage';
    const text = csvOf(['date', 'a', 'b'], ts.map((t, i) => [t, i, i % 3]));
    const { summary, dataset } = await prepareText(text);
    expect(summary.droppedRows.badTime).toBe(1);
    expect(summary.warnings.join('\n')).toMatch(/1 row\(s\) had a missing or unreadable timestamp/);
    // The dropped row leaves a one-row gap on the grid, which is filled (short gap).
    expect(dataset.meta.rows).toBe(20);
    expect(summary.gaps.count).toBe(1);
  });
});

describe('long tables', () => {
  const ids = ['north', 'south', 'east'];
  const rows = hours(12).flatMap((t, i) => ids.map((id, k) => [id, t, i * 10 + k]));

  it('pivots id,timestamp,value to wide when detected', async () => {
    const { dataset, summary } = await prepareText(csvOf(['id', 'timestamp', 'value'], rows));
    expect(summary.layout).toBe('long');
    expect(dataset.meta.columns).toEqual(ids.map((id) => `id=${id}:value`));
    expect(dataset.meta.rows).toBe(12);
    expect(unscaled(dataset, 1).map((v) => Math.round(v * 1000) / 1000)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10 + 1));
    expect(summary.long?.note).toMatch(/pivoted to 3 feature\(s\): 3 series × 1 value column/);
  });

  it('pivots on request with named columns and averages repeated (id, time) pairs only when asked', async () => {
    const more = [...rows, ['north', hours(12)[3] as string, 999]];
    const text = csvOf(['sensor', 'when', 'reading'], more);
    expect(await errorCode(prepareText(text, { layout: 'long', idColumn: 'sensor', valueColumn: 'reading' }))).toBe('data.long_duplicates');
    const { dataset, summary } = await prepareText(text, { layout: 'long', idColumn: 'sensor', valueColumn: 'reading', aggregate: 'mean' });
    expect(dataset.meta.columns).toEqual(ids.map((id) => `sensor=${id}:reading`));
    expect(unscaled(dataset, 0)[3]).toBeCloseTo((30 + 999) / 2, 3);
    expect(summary.duplicates).toBe(1);
  });

  it('stays wide when asked', async () => {
    const wide = await prepareText(csvOf(['id', 'timestamp', 'value'], rows), { layout: 'wide' });
    expect(wide.summary.layout).toBe('wide');
    expect(wide.dataset.meta.columns).toEqual(['value']);
  });
});

describe('order and grid', () => {
  it('sorts unsorted rows and reports it', async () => {
    const r = hours(20).map((t, i) => [t, i, (i * 3) % 7]);
    const swapped = [...r];
    [swapped[2], swapped[9]] = [swapped[9] as (string | number)[], swapped[2] as (string | number)[]];
    const { dataset, summary } = await prepareText(csvOf(['date', 'a', 'b'], swapped));
    expect(summary.sorted).toBe(true);
    expect(summary.warnings.join('\n')).toMatch(/not in time order/);
    expect(unscaled(dataset, 0).map((v) => Math.round(v) + 0)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('averages duplicate timestamps and reports them', async () => {
    const r = hours(20).map((t, i) => [t, i, i % 3]);
    r.splice(5, 0, [hours(20)[4] as string, 100, 2]);
    const { dataset, summary } = await prepareText(csvOf(['date', 'a', 'b'], r));
    expect(summary.duplicates).toBe(1);
    expect(dataset.meta.rows).toBe(20);
    expect(unscaled(dataset, 0)[4]).toBeCloseTo(52, 4);
    expect(summary.warnings.join('\n')).toMatch(/averaged/);
  });

  it('bypasses resampling for a regular series', async () => {
    const { summary } = await prepareText(basic());
    expect(summary.frequency).toEqual({ ms: 3_600_000, text: '1 hour', forced: false, regular: true });
    expect(summary.gaps.count).toBe(0);
    expect(summary.warnings).toEqual([]);
  });

  it('puts an irregular series on the modal grid, averaging within bins', async () => {
    // 10-minute data with jitter and one extra reading squeezed into a slot.
    const base = Date.UTC(2024, 0, 1);
    const times = Array.from({ length: 30 }, (_, i) => base + i * 600_000 + (i % 5 === 1 ? 20_000 : i % 5 === 3 ? -15_000 : 0));
    const r = times.map((t, i) => [new Date(t).toISOString(), i, i % 4]);
    r.splice(11, 0, [new Date(base + 10 * 600_000 + 60_000).toISOString(), 100, 0]);
    const { dataset, summary } = await prepareText(csvOf(['time', 'a', 'b'], r));
    expect(dataset.meta.frequencyMs).toBe(600_000);
    expect(summary.frequency.regular).toBe(false);
    expect(dataset.meta.rows).toBe(30);
    expect(dataset.times[1]).toBe(base + 600_000);
    expect(unscaled(dataset, 0)[10]).toBeCloseTo((10 + 100) / 2, 4);
    expect(summary.binnedRows).toBe(1);
    expect(summary.warnings.join('\n')).toMatch(/irregular/);
  });

  it('fills short gaps and leaves long ones missing, reported in summary and meta', async () => {
    const all = hours(40).map((t, i) => [t, i, (i * 7) % 5]);
    // Rows 10-11 missing (2 rows: 3 intervals, filled) and rows 20-25 missing (6 rows, kept NaN).
    const kept = all.filter((_, i) => !(i >= 10 && i <= 11) && !(i >= 20 && i <= 25));
    const { dataset, summary } = await prepareText(csvOf(['date', 'a', 'b'], kept));
    expect(dataset.meta.rows).toBe(40);
    expect(summary.gaps.count).toBe(2);
    expect(summary.gaps.missingRows).toBe(8);
    expect(summary.gaps.list.map((g) => [g.rows, g.filled])).toEqual([
      [2, true],
      [6, false],
    ]);
    const a = unscaled(dataset, 0);
    expect(a[10]).toBeCloseTo(10, 4); // linear interpolation inside train
    expect(a[11]).toBeCloseTo(11, 4);
    for (let i = 20; i <= 25; i++) expect(a[i]).toBeNaN();
    expect(dataset.meta.gaps).toEqual([[20, 26]]);
    expect(summary.missing.a).toEqual({ missing: 8, filled: 2, remaining: 6 });
    expect(summary.warnings.join('\n')).toMatch(/left missing rather than invented/);
  });

  it('honours maxGapMultiple', async () => {
    const kept = hours(40).map((t, i) => [t, i, i % 5]).filter((_, i) => !(i >= 20 && i <= 25));
    const { dataset } = await prepareText(csvOf(['date', 'a', 'b'], kept), { maxGapMultiple: 10 });
    expect(dataset.meta.gaps).toBeUndefined();
  });

  it('resamples onto a forced grid aligned to the clock', async () => {
    const base = Date.UTC(2024, 0, 1, 0, 5);
    const r = Array.from({ length: 60 }, (_, i) => [new Date(base + i * 600_000).toISOString(), i, i % 2]);
    const { dataset, summary } = await prepareText(csvOf(['time', 'a', 'b'], r), { frequency: '1h' });
    expect(dataset.meta.frequencyMs).toBe(3_600_000);
    expect(summary.frequency.forced).toBe(true);
    expect(dataset.times[0]).toBe(Date.UTC(2024, 0, 1));
    expect(dataset.meta.rows).toBe(10);
    // First bin holds 00:05..00:55 = rows 0..5.
    expect(unscaled(dataset, 0)[0]).toBeCloseTo(2.5, 4);
    expect(unscaled(dataset, 0)[1]).toBeCloseTo(8.5, 4);
  });

  it('refuses an unknown frequency', async () => {
    expect(await errorCode(prepareText(basic(), { frequency: '1 fortnight' }))).toBe('data.bad_frequency');
    expect(await errorCode(prepareText(basic(), { frequency: '1M' }))).toBe('data.bad_frequency');
  });

  it('refuses fewer than 10 rows', async () => {
    expect(await errorCode(prepareText(basic(5)))).toBe('data.too_few_rows');
  });
});

describe('splits, filling and scaling', () => {
  it('splits 70/10/20 chronologically by default', async () => {
    const { dataset, summary } = await prepareText(basic(100));
    expect(dataset.meta.splits).toEqual({ train: [0, 70], val: [70, 80], test: [80, 100] });
    expect(summary.splits.train.rows).toBe(70);
    expect(summary.splits.test.start).toBe('2024-01-04T08:00:00.000Z');
  });

  it('computes ett splits in rows of the frequency', () => {
    expect(computeSplits(17420, 3_600_000, 'ett')).toEqual({ train: [0, 8640], val: [8640, 11520], test: [11520, 14400] });
    expect(computeSplits(69680, 900_000, 'ett')).toEqual({ train: [0, 34560], val: [34560, 46080], test: [46080, 57600] });
    expect(() => computeSplits(1000, 3_600_000, 'ett')).toThrow(/20 months/);
  });

  it('accepts custom ratios and refuses ones that do not add up', async () => {
    const { dataset } = await prepareText(basic(100), { split: { train: 0.6, val: 0.2, test: 0.2 } });
    expect(dataset.meta.splits).toEqual({ train: [0, 60], val: [60, 80], test: [80, 100] });
    expect(() => parseOptions({ split: { train: 0.6, val: 0.6, test: 0.2 } })).toThrow(/must be 1/);
  });

  it('interpolates train in both directions and forward-fills validation and test only', () => {
    const col = Float64Array.from([NaN, 2, NaN, 4, NaN, 10, NaN, NaN, 13, NaN]);
    const splits = { train: [0, 5], val: [5, 8], test: [8, 10] } as const;
    const rep = fillColumn(col, { train: [...splits.train], val: [...splits.val], test: [...splits.test] }, 3);
    // Train: leading edge from the nearest (2), interior linear (3), trailing edge from the nearest (4),
    // never from validation's 10. Validation/test: forward fill, never the later 13.
    expect(Array.from(col)).toEqual([2, 2, 3, 4, 4, 10, 10, 10, 13, 13]);
    expect(rep).toEqual({ missing: 6, filled: 6, remaining: 0 });
  });

  it('carries the last training value into validation', () => {
    const col = Float64Array.from([1, 2, 3, NaN, 5]);
    fillColumn(col, { train: [0, 3], val: [3, 4], test: [4, 5] }, 3);
    expect(col[3]).toBe(3);
  });

  it('fits the scaler on train only', async () => {
    // Train rows 0..69 of a = i, so the mean is 34.5 whatever the later rows hold.
    const text = csvOf(['date', 'a', 'b'], hours(100).map((t, i) => [t, i < 70 ? i : 1000 + i, i % 3]));
    const { dataset } = await prepareText(text);
    expect(dataset.meta.scaler.mean[0]).toBeCloseTo(34.5, 10);
    const std = Math.sqrt(Array.from({ length: 70 }, (_, i) => (i - 34.5) ** 2).reduce((x, y) => x + y) / 70);
    expect(dataset.meta.scaler.std[0]).toBeCloseTo(std, 10);
    expect(dataset.values[0]).toBeCloseTo(-34.5 / std, 5);
  });

  it('produces float32 row-major values and float64 times', async () => {
    const { dataset } = await prepareText(basic(20));
    expect(dataset.values).toBeInstanceOf(Float32Array);
    expect(dataset.times).toBeInstanceOf(Float64Array);
    expect(dataset.values.length).toBe(20 * 3);
    // Row 3, column a (index 0) is 3 in original units.
    expect(unscaled(dataset, 0)[3]).toBeCloseTo(3, 4);
  });

  it('validates options with the zod schema', () => {
    expect(prepareOptionsSchema.parse({})).toMatchObject({ maxGapMultiple: 3, split: { train: 0.7, val: 0.1, test: 0.2 }, layout: 'auto' });
    expect(() => parseOptions({ bogus: 1 } as never)).toThrow(GenAutoMLError);
    expect(() => parseOptions({ maxGapMultiple: 0 })).toThrow(/maxGapMultiple/);
  });
});
