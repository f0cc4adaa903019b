/**
 * Cycles with few repeats, against the truth: four years of daily weather-like data with a
 * 365-day cycle, monthly data with a 12-month one, quarterly with 4 quarters; a random walk has
 * none; the ACF reaches past the periods found.
 */
import { describe, expect, it } from 'vitest';
import { runEda } from '../../../engine/eda/index.js';
import { longCycles } from '../../../engine/eda/seasonality.js';
import { csvOf, prepareText } from '../data/helpers.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff - 0.5;
  };
}

describe('periods with few repeats', () => {
  it('finds the 365-day cycle in four years of daily temperatures', async () => {
    const r = rng(7);
    let ar = 0;
    const rows = Array.from({ length: 4 * 365 + 1 }, (_, i) => {
      // ≈75% of the variance in the annual cycle, the rest AR(1) weather noise.
      ar = 0.7 * ar + 2.4 * r();
      const t = new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      return [t, (12 + 8 * Math.sin((2 * Math.PI * (i - 100)) / 365) + ar).toFixed(2)];
    });
    const { dataset } = await prepareText(csvOf(['date', 'temp_max'], rows), { split: { train: 0.7, val: 0.1, test: 0.2 } });
    const report = runEda(dataset);
    const f = report.features[0]!;
    const main = f.seasonality.dominantPeriods[0]!;
    expect(Math.abs(main.steps - 365) / 365).toBeLessThan(0.03);
    expect(main.label).toMatch(/^36\d(\.\d)? d$/);
    expect(main.explainedVariance).toBeGreaterThan(0.5);
    expect(f.seasonality.acf.length - 1).toBeGreaterThanOrEqual(Math.ceil(main.steps));
  });

  it('reports a 12-month cycle in months and a 4-quarter one in quarters', async () => {
    const r = rng(3);
    const months = Array.from({ length: 120 }, (_, i) => [`${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`, (100 + 0.2 * i + 10 * Math.cos((2 * Math.PI * i) / 12) + r()).toFixed(3)]);
    const monthly = runEda((await prepareText(csvOf(['month', 'sales'], months))).dataset);
    expect(monthly.dataset.frequencyLabel).toBe('1 month');
    expect(monthly.features[0]!.seasonality.dominantPeriods[0]?.label).toBe('12 months');
    const quarters = Array.from({ length: 40 }, (_, i) => [`${2000 + Math.floor(i / 4)}-Q${(i % 4) + 1}`, (50 + 5 * [1, -1, 2, -2][i % 4]! + r()).toFixed(3)]);
    const quarterly = runEda((await prepareText(csvOf(['quarter', 'gdp'], quarters))).dataset);
    expect(quarterly.features[0]!.seasonality.dominantPeriods[0]?.label).toBe('4 quarters');
  });

  it('finds a cycle seen only 2.5 times, and none in a random walk', () => {
    const r = rng(11);
    const n = 1000;
    const cyc = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 400) + 0.3 * r());
    const found = longCycles(cyc);
    expect(found.length).toBeGreaterThan(0);
    expect(Math.abs(found[0]!.periodSteps - 400) / 400).toBeLessThan(0.03);
    let misses = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const w = rng(seed * 97);
      let level = 0;
      const walk = Float64Array.from({ length: n }, () => (level += w()));
      if (longCycles(walk).length > 0) misses++;
    }
    // A random walk wanders slowly; it must not be reported as a cycle (allow one chance hit in ten).
    expect(misses).toBeLessThanOrEqual(1);
  });
});
