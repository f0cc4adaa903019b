import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreparedDataset } from '../../../engine/data/prepared.js';
import { answerQuestion, edaReportSchema, runEda } from '../../../engine/eda/index.js';
import type { EdaReport } from '../../../engine/eda/index.js';
import { readEtth1, toPrepared } from '../../fixtures/eda/etth1.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const reference = JSON.parse(fs.readFileSync(path.join(here, '../../fixtures/eda/reference.json'), 'utf8')) as {
  etth1: Record<string, { last10000: { adf: { statistic: number; pValue: number }; kpss: { statistic: number } } }>;
};

function tiny(columns: Record<string, number[]>, frequencyMs: number | null = 60_000): PreparedDataset {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.length;
  const values = new Float32Array(rows * names.length);
  names.forEach((n, c) => columns[n]!.forEach((v, r) => (values[r * names.length + c] = v)));
  const train = Math.floor(rows * 0.7);
  return {
    meta: {
      formatVersion: 1,
      rows,
      columns: names,
      target: names[names.length - 1]!,
      frequencyMs,
      start: new Date(0).toISOString(),
      end: new Date((rows - 1) * 60_000).toISOString(),
      splits: { train: [0, train], val: [train, train + 1], test: [train + 1, rows] },
      scaler: { mean: names.map(() => 0), std: names.map(() => 1) },
      hasLabels: false,
    },
    values,
    times: Float64Array.from({ length: rows }, (_, i) => i * 60_000),
  };
}

describe('runEda on ETTh1', () => {
  let report: EdaReport;
  beforeAll(() => {
    report = runEda(toPrepared(readEtth1()));
  });

  it('is valid, JSON-serialisable and self-describing', () => {
    expect(edaReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.dataset.frequencyLabel).toBe('1 h');
    expect(report.features).toHaveLength(7);
    expect(report.notes.join(' ')).toMatch(/last 10,000 of 17,420/);
  });

  it('works in original units', () => {
    const ot = report.features.find((f) => f.name === 'OT')!;
    expect(ot.stats.count).toBe(17420);
    expect(ot.stats.max!).toBeGreaterThan(40); // ETTh1 OT peaks around 46 °C
    expect(ot.stats.min!).toBeLessThan(0);
  });

  it('shows 24 h as the main period for most features', () => {
    const daily = report.features.filter((f) => f.seasonality.dominantPeriods[0]?.label === '24 h');
    expect(daily.length).toBeGreaterThanOrEqual(5);
    expect(report.context).toMatch(/24 h/);
  });

  it('agrees with statsmodels on the capped window despite the float32 round trip', () => {
    // Prepared values are float32 z-scores; undoing the scaling perturbs values by ~1e-7 relative,
    // so the tolerance here is 1e-3 relative (exact agreement is tested on float64 input).
    for (const [col, ref] of Object.entries(reference.etth1)) {
      const f = report.features.find((x) => x.name === col)!;
      expect(f.stationarity.points).toBe(10000);
      expect(Math.abs(f.stationarity.adf!.statistic - ref.last10000.adf.statistic)).toBeLessThan(1e-3 * Math.abs(ref.last10000.adf.statistic));
      expect(Math.abs(f.stationarity.kpss!.statistic - ref.last10000.kpss.statistic)).toBeLessThan(1e-3 * ref.last10000.kpss.statistic);
    }
  });

  it('answers common questions from the facts', () => {
    const vol = answerQuestion('Which feature is the most volatile?', report);
    expect(vol.intent).toBe('volatility');
    const ranking = (vol.facts as { ranking: { feature: string }[] }).ranking;
    expect(vol.answer.startsWith(ranking[0]!.feature)).toBe(true);

    const st = answerQuestion('Is OT stationary?', report);
    expect(st.intent).toBe('stationarity');
    expect(st.features).toEqual(['OT']);
    expect((st.facts as { features: unknown[] }).features).toHaveLength(1);

    expect(answerQuestion('What seasonality do you see?', report).answer).toMatch(/24 h/);
    const corr = answerQuestion('How is HUFL correlated with the others?', report);
    expect(corr.answer).toMatch(/HUFL–MUFL r=0\.99/);
    expect(answerQuestion('any outliers or spikes?', report).intent).toBe('outliers');
    expect(answerQuestion('is there a trend in OT', report).intent).toBe('trend');
    expect(answerQuestion('missing values?', report).answer).toMatch(/No missing/);
    const fallback = answerQuestion('require("child_process").exec("rm -rf /")', report);
    expect(fallback.fallback).toBe(true);
    expect(fallback.intent).toBe('summary');
  });
});

describe('runEda edge cases', () => {
  it('handles a constant column and a training-only scope', () => {
    const n = 300;
    const report = runEda(
      tiny({ flat: new Array(n).fill(2), wave: Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 12) + 0.01 * Math.cos(i * 3.1)) }),
      { scope: 'train' },
    );
    expect(report.dataset.range).toEqual([0, 210]);
    const flat = report.features[0]!;
    expect(flat.stationarity.verdict).toBe('constant');
    expect(flat.stats.skewness).toBeNull();
    expect(report.features[1]!.seasonality.dominantPeriods[0]?.label).toBe('12 min');
    expect(() => edaReportSchema.parse(JSON.parse(JSON.stringify(report)))).not.toThrow();
  });

  it('labels periods in steps without a frequency and refuses too few rows', () => {
    const wave = Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * i) / 10));
    expect(runEda(tiny({ wave }, null)).features[0]!.seasonality.dominantPeriods[0]?.label).toBe('10 steps');
    expect(() => runEda(tiny({ x: [1] }))).toThrow(expect.objectContaining({ code: 'eda.too_short' }));
  });

  it('reports too-short series for the tests instead of failing', () => {
    const r = runEda(tiny({ x: [1, 3, 2, 5, 4] }));
    expect(r.features[0]!.stationarity.verdict).toBe('too-short');
  });
});
