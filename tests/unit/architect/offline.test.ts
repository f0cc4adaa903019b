import { describe, expect, it } from 'vitest';
import { OfflineArchitect } from '../../../engine/architect/offline/architect.js';
import type { DesignBrief } from '../../../engine/architect/types.js';
import type { ValidationReport } from '../../../engine/runner/types.js';

const dims = { task: 'forecasting' as const, lookback: 96, horizon: 24, nFeatures: 7 };
const brief = (request: string, over: Partial<DesignBrief> = {}): DesignBrief => ({ request, dims, constraints: {}, iteration: 1, edaFacts: { periods: [24, 168] }, ...over });

describe('offline architect (design only)', () => {
  const a = new OfflineArchitect();

  it('explains itself and names the model', () => {
    const d = a.design(brief('a novel architecture using wave interference patterns to model multivariate time series'));
    expect(d.name).toBe('WaveInterferenceNet');
    expect(d.code).toMatch(/^# Name: WaveInterferenceNet\n/);
    expect(d.code).toContain('periods = [24]');
    expect(d.explanation).toContain('Offline architect (no LLM configured)');
    expect(d.explanation).toContain('168 longer than the 96-step window, not used');
  });

  it('sizes to the tighter of the request limit and the constraint', () => {
    const loose = a.design(brief('a transformer'));
    const tight = a.design(brief('a transformer', { constraints: { paramBudget: 30_000 } }));
    expect(tight.estimatedParams).toBeLessThanOrEqual(30_000 * 0.85);
    expect(tight.estimatedParams).toBeLessThan(loose.estimatedParams);
  });

  it('avoids forbidden layers', () => {
    const d = a.design(brief('an LSTM with attention', { constraints: { forbidden: ['LSTM'] } }));
    expect(d.family).toBe('mixer');
    expect(d.code).not.toMatch(/LSTM\(/);
    expect(d.explanation).toContain('recurrent is forbidden');
  });

  it('shrinks after a budget overrun and falls back after another failure', () => {
    const first = a.design(brief('a CNN', { constraints: { paramBudget: 200_000 } }));
    const over: ValidationReport = {
      ok: false, stage: 'budget', message: 'over', violations: [], traceback: null, errorLine: null, expectedShape: [], outputShape: null,
      projection: null, params: first.estimatedParams * 3, latencyMs: null, searchSpace: null, durationMs: 1,
    };
    const second = a.design(brief('a CNN', { constraints: { paramBudget: 200_000 }, previousReport: over, iteration: 2 }));
    expect(second.estimatedParams).toBeLessThan(first.estimatedParams);
    const broken = a.design(brief('a CNN', { previousReport: { ...over, stage: 'forward' }, iteration: 2 }));
    expect(broken.family).toBe('linear');
  });

  it('reports modifiers it cannot apply', () => {
    expect(a.design(brief('a bidirectional MLP-Mixer')).explanation).toContain('ignored: bidirectional');
  });

  it('needs the brief', async () => {
    await expect(a.chat([{ role: 'user', content: 'x' }])).rejects.toMatchObject({ code: 'architect.failed' });
  });
});
