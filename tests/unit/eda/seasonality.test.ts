import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fft } from '../../../engine/eda/fft.js';
import { acf, bartlettBand, centredMovingAverage, decompositionStrength, dominantPeriods } from '../../../engine/eda/seasonality.js';
import { readEtth1 } from '../../fixtures/eda/etth1.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const reference = JSON.parse(fs.readFileSync(path.join(here, '../../fixtures/eda/reference.json'), 'utf8')) as {
  synthetic: Record<string, { values: number[] }>;
};

describe('fft', () => {
  it('matches a direct DFT and inverts', () => {
    const n = 64;
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.3) + (i % 7));
    const im = new Float64Array(n);
    const orig = re.slice();
    fft(re, im);
    for (const k of [0, 1, 5, 31, 63]) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        sr += orig[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        si += orig[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
    fft(re, im, true);
    for (let t = 0; t < n; t++) expect(re[t]! / n).toBeCloseTo(orig[t]!, 12);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });
});

describe('acf', () => {
  it('equals the direct biased estimator', () => {
    const x = Float64Array.from(reference.synthetic.seasonal!.values.slice(0, 300));
    const r = acf(x, 30);
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    let c0 = 0;
    for (const v of x) c0 += (v - m) ** 2;
    for (const k of [1, 12, 24, 30]) {
      let ck = 0;
      for (let t = 0; t + k < x.length; t++) ck += (x[t]! - m) * (x[t + k]! - m);
      expect(r[k]).toBeCloseTo(ck / c0, 12);
    }
    const band = bartlettBand(r, x.length);
    expect(band[1]).toBeCloseTo(1.959963984540054 / Math.sqrt(300), 12);
    expect(band[5]!).toBeGreaterThan(band[1]!);
  });
});

describe('dominant periods', () => {
  it('keeps a strong daily cycle under a weaker weekly one (24 is 168 / 7, but not its harmonic)', () => {
    const n = 24 * 7 * 12;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = 3 * Math.sin((2 * Math.PI * i) / 24) + 0.8 * Math.sin((2 * Math.PI * i) / 168) + 0.05 * Math.sin(i * 12.9898);
    const periods = dominantPeriods(x, 3).map((p) => Math.round(p.periodSteps));
    expect(periods[0]).toBe(24);
    expect(periods.some((p) => Math.abs(p - 168) / 168 < 0.02)).toBe(true);
  });

  it('finds 24 in the seasonal AR series and nothing strong in white noise', () => {
    const seasonal = dominantPeriods(Float64Array.from(reference.synthetic.seasonal!.values));
    expect(Math.round(seasonal[0]!.periodSteps)).toBe(24);
    const white = dominantPeriods(Float64Array.from(reference.synthetic.white!.values));
    expect(white.every((p) => p.powerShare < 0.05)).toBe(true);
  });

  it('merges harmonics into their fundamental', () => {
    // A square-ish wave of period 24 has strong odd harmonics at 8, 4.8, ...
    const x = Float64Array.from({ length: 4000 }, (_, i) => (i % 24 < 12 ? 1 : -1) + 0.1 * Math.sin(i * 12.9898));
    const p = dominantPeriods(x);
    expect(Math.round(p[0]!.periodSteps)).toBe(24);
    expect(p.some((q) => Math.abs(q.periodSteps - 8) < 0.5)).toBe(false);
  });

  it('ETTh1: 24 h is the main period of most features', () => {
    const t = readEtth1();
    const hits = t.data.filter((col) => Math.round(dominantPeriods(col)[0]?.periodSteps ?? 0) === 24).length;
    expect(hits).toBeGreaterThanOrEqual(5);
  });
});

describe('decomposition strength', () => {
  it('is seasonal for a noisy sine and trended for a random walk', () => {
    const sine = Float64Array.from({ length: 2000 }, (_, i) => 5 * Math.sin((2 * Math.PI * i) / 24) + 0.3 * Math.sin(i * 7.77));
    const s = decompositionStrength(sine, 24);
    expect(s.seasonal!).toBeGreaterThan(0.9);
    expect(s.period).toBe(24);
    const walk = decompositionStrength(Float64Array.from(reference.synthetic.walk!.values), null);
    expect(walk.trend).toBeGreaterThan(0.8);
    expect(walk.seasonal).toBeNull();
  });

  it('centred moving average handles even windows', () => {
    const ma = centredMovingAverage(Float64Array.from([1, 2, 3, 4, 5, 6]), 2);
    expect(Number.isNaN(ma[0]!)).toBe(true);
    expect(ma[1]).toBeCloseTo(2, 12);
    expect(ma[4]).toBeCloseTo(5, 12);
  });
});
