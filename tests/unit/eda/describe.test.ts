/**
 * Descriptive statistics against scipy/numpy reference values (skewness g1 and excess kurtosis g2
 * with population moments, type-7 quantiles; tolerance 1e-9 relative) and hand-checked formulas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe as group, expect, it } from 'vitest';
import { correlationMatrix, describe, outliers, volatility } from '../../../engine/eda/describe.js';
import { erfc, normalCdf, quantileSorted } from '../../../engine/eda/numeric.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const reference = JSON.parse(fs.readFileSync(path.join(here, '../../fixtures/eda/reference.json'), 'utf8')) as {
  synthetic: Record<string, { values: number[]; describe: Record<string, number> }>;
};

const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

group('describe', () => {
  for (const [name, ref] of Object.entries(reference.synthetic)) {
    it(`matches numpy/scipy on ${name}`, () => {
      const d = describe(Float64Array.from(ref.values));
      for (const key of ['mean', 'std', 'q25', 'median', 'q75', 'skewness', 'kurtosis'] as const) close(d[key], ref.describe[key]!);
    });
  }

  it('follows the moment formulas on a small sample', () => {
    const x = Float64Array.from([1, 2, 3, 4, 10]);
    const d = describe(x);
    // mean 4; deviations -3 -2 -1 0 6; m2 = 50/5 = 10, m3 = 180/5 = 36, m4 = 1394/5 = 278.8
    expect(d.mean).toBe(4);
    close(d.std, Math.sqrt(50 / 4));
    close(d.skewness, 36 / Math.pow(10, 1.5));
    close(d.kurtosis, 278.8 / 100 - 3);
    expect([d.min, d.q25, d.median, d.q75, d.max]).toEqual([1, 2, 3, 4, 10]);
  });

  it('counts missing values and ignores them', () => {
    const d = describe(Float64Array.from([1, NaN, 3]));
    expect(d.count).toBe(2);
    expect(d.missing).toBe(1);
    expect(d.mean).toBe(2);
    expect(describe(Float64Array.from([1, 2]), 7).missing).toBe(7);
  });

  it('interpolates quantiles linearly (type 7)', () => {
    expect(quantileSorted(Float64Array.from([0, 10]), 0.25)).toBe(2.5);
    expect(quantileSorted(Float64Array.from([5]), 0.9)).toBe(5);
  });
});

group('normal distribution', () => {
  it('erfc and the normal CDF match known values', () => {
    close(erfc(0), 1, 1e-15);
    close(erfc(1), 0.15729920705028513, 1e-14);
    close(erfc(3), 2.209049699858544e-5, 1e-12);
    close(normalCdf(-1.959963984540054), 0.025, 1e-13);
    close(normalCdf(-8), 6.220960574271785e-16, 1e-10);
  });
});

group('volatility, outliers and correlation', () => {
  it('volatility ratio is ~sqrt(2) for white noise and small for a smooth series', () => {
    const ref = reference.synthetic.white!.values;
    const x = Float64Array.from(ref);
    expect(volatility(x, describe(x)).ratio).toBeGreaterThan(1.3);
    const smooth = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 100) + 5);
    const v = volatility(smooth, describe(smooth));
    expect(v.ratio).toBeLessThan(0.02);
    expect(v.cv).not.toBeNull();
  });

  it('flags injected spikes with robust z and IQR, most extreme first', () => {
    const x = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i / 5));
    x[100] = 12;
    x[300] = -8;
    const o = outliers(x, describe(x), { topK: 2 });
    expect(o.top.map((p) => p.index)).toEqual([100, 300]);
    expect(o.robustZ.count).toBe(2);
    expect(o.iqr.count).toBe(2);
  });

  it('falls back to the mean absolute deviation when the MAD is zero', () => {
    const x = new Float64Array(100).fill(1);
    x[5] = 50;
    const o = outliers(x, describe(x));
    expect(o.top[0]?.index).toBe(5);
    expect(Number.isFinite(o.top[0]!.robustZ)).toBe(true);
  });

  it('Pearson matrix: symmetric, unit diagonal, sign-aware', () => {
    const a = Float64Array.from({ length: 200 }, (_, i) => i + Math.sin(i));
    const b = a.map((v) => -2 * v + 3);
    const c = Float64Array.from({ length: 200 }, (_, i) => Math.cos(i * 1.7));
    const m = correlationMatrix([a, b, c]);
    close(m[0]![0]!, 1);
    close(m[0]![1]!, -1);
    expect(m[1]![2]).toBe(m[2]![1]);
    expect(Math.abs(m[0]![2]!)).toBeLessThan(0.2);
  });
});
