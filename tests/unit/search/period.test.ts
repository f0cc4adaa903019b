import { describe, expect, it } from 'vitest';
import { periodFromEda, studyPeriod } from '../../../engine/search/period.js';
import { studySpecSchema } from '../../../engine/search/spec.js';
import { trialModelSpec } from '../../../engine/search/trial.js';

const eda = (target: string, periods: Record<string, number[]>): unknown => ({
  dataset: { target, columns: Object.keys(periods) },
  features: Object.entries(periods).map(([name, steps]) => ({ name, seasonality: { dominantPeriods: steps.map((s) => ({ steps: s, label: `${s}` })) } })),
});

describe('the period handed to models that ask for a cycle index', () => {
  it('is the target’s main EDA period, rounded to whole steps', () => {
    expect(periodFromEda(eda('OT', { HUFL: [12], OT: [23.97, 168] }))).toBe(24);
  });
  it('is absent when the EDA found none, is missing, or is not a report', () => {
    expect(periodFromEda(eda('OT', { OT: [] }))).toBeUndefined();
    expect(periodFromEda(null)).toBeUndefined();
    expect(periodFromEda({ features: 'nope' })).toBeUndefined();
    expect(periodFromEda(eda('OT', { OT: [1.2] }))).toBeUndefined();
  });
  it('is the user’s when the request names one', () => {
    expect(studyPeriod(168, eda('OT', { OT: [24] }))).toBe(168);
    expect(studyPeriod(undefined, eda('OT', { OT: [24] }))).toBe(24);
  });
  it('reaches every trial’s dims', () => {
    const spec = studySpecSchema.parse({
      request: { dataset: 'd', lookback: 96, horizon: 24 },
      datasetName: 'd',
      nFeatures: 2,
      period: 24,
      candidates: [{ name: 'cyclenet', kind: 'baseline', codeSha: 'x', code: 'pass', searchSpace: null }],
      origin: 'test',
    });
    expect(trialModelSpec(spec, { arch: 'cyclenet', lr: 1e-3 }, 2).model.dims).toEqual({ task: 'forecasting', lookback: 96, horizon: 24, nFeatures: 2, period: 24 });
    const { period: _, ...without } = spec;
    expect(trialModelSpec(without, { arch: 'cyclenet', lr: 1e-3 }, 2).model.dims).not.toHaveProperty('period');
  });
});
