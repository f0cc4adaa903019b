import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareFromSource } from '../../../engine/data/index.js';
import { preparedMetaSchema } from '../../../engine/data/prepared.js';

const DIR = '/work/shared/datasets';
const FILE = `${DIR}/ETTh1.csv`;
const limits = { allowedDirs: [DIR], maxBytes: 50 * 1024 ** 2, urlTimeoutMs: 5000 };

describe.skipIf(!existsSync(FILE))('ETTh1', () => {
  it('prepares with the ett protocol: 8640/2880/2880, hourly, train-only scaler', async () => {
    const { dataset, summary } = await prepareFromSource({ kind: 'path', path: 'ETTh1.csv' }, { split: 'ett' }, limits);
    const meta = preparedMetaSchema.parse(dataset.meta);
    expect(meta.rows).toBe(17420);
    expect(meta.columns).toEqual(['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT']);
    expect(meta.target).toBe('OT');
    expect(meta.frequencyMs).toBe(3_600_000);
    expect(summary.frequency.text).toBe('1 hour');
    expect(summary.frequency.regular).toBe(true);
    expect(meta.splits).toEqual({ train: [0, 8640], val: [8640, 11520], test: [11520, 14400] });
    expect(summary.splits.train.rows).toBe(8640);
    expect(summary.splits.val.rows).toBe(2880);
    expect(summary.splits.test.rows).toBe(2880);
    expect(meta.start).toBe('2016-07-01T00:00:00.000Z');
    expect(dataset.values.length).toBe(17420 * 7);
    expect(dataset.times.length).toBe(17420);
    expect(meta.gaps).toBeUndefined();
    expect(summary.warnings).toEqual([]);

    // Direct computation of the train statistics from the raw text.
    const lines = readFileSync(FILE, 'utf8').trim().split('\n').slice(1, 8641);
    for (let c = 0; c < 7; c++) {
      const xs = lines.map((l) => Number(l.split(',')[c + 1]));
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      expect(meta.scaler.mean[c]).toBeCloseTo(mean, 9);
      expect(meta.scaler.std[c]).toBeCloseTo(std, 9);
    }
    // The scaled train block has mean ~0 and std ~1; validation does not (fitted on train only).
    const w = 7;
    const colMean = (from: number, to: number, c: number): number => {
      let s = 0;
      for (let r = from; r < to; r++) s += dataset.values[r * w + c] as number;
      return s / (to - from);
    };
    expect(Math.abs(colMean(0, 8640, 6))).toBeLessThan(1e-4);
    expect(Math.abs(colMean(8640, 11520, 6))).toBeGreaterThan(0.01);
    const first = lines[0]?.split(',') ?? [];
    expect(dataset.values[6]).toBeCloseTo((Number(first[7]) - (meta.scaler.mean[6] as number)) / (meta.scaler.std[6] as number), 5);
  });

  it('uses 70/10/20 ratios by default', async () => {
    const { dataset } = await prepareFromSource({ kind: 'path', path: 'ETTh1.csv' }, {}, limits);
    expect(dataset.meta.splits).toEqual({ train: [0, 12194], val: [12194, 13936], test: [13936, 17420] });
  });
});
