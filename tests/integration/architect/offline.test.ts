/**
 * The offline architect end to end: twelve different requests through the real reflection loop
 * give twelve different models that really build, run forward/backward and respect their budgets
 * (checked by the real sandboxed runner, every SEARCH_SPACE value included).
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateModel } from '../../../engine/architect/loop.js';
import { OfflineArchitect } from '../../../engine/architect/offline/architect.js';
import type { ModelDims } from '../../../engine/runner/types.js';
import { RunnerValidator } from '../../fixtures/architect/runner-validator.js';

/** Each validation starts Python and torch; on a loaded two-core machine that takes seconds. */
const PYTHON_TIMEOUT_MS = 240_000;
const dims: ModelDims = { task: 'forecasting', lookback: 96, horizon: 24, nFeatures: 7 };
const edaFacts = { periods: [24, 168, 12], stationary: false };

const REQUESTS: { request: string; family: string; name?: RegExp; budget?: number }[] = [
  { request: 'a novel architecture using wave interference patterns to model multivariate time series', family: 'wave', name: /^WaveInterferenceNet$/ },
  { request: 'design a lightweight inception model', family: 'inception', name: /Inception/ },
  { request: 'a simple multi-scale linear model for periodic data', family: 'linear' },
  { request: 'a bidirectional LSTM with attention and dropout 0.2', family: 'recurrent', name: /BiLSTMAttention/ },
  { request: 'a small GRU under 20k parameters', family: 'recurrent', name: /GRU/, budget: 20_000 },
  { request: 'a dilated TCN', family: 'tcn' },
  { request: 'a multi-scale CNN with attention', family: 'convolutional' },
  { request: 'a deep residual network with dilated convolutions', family: 'residual' },
  { request: 'a fourier model for periodic data', family: 'fourier' },
  { request: 'a tiny transformer with less than 50k params', family: 'transformer', budget: 50_000 },
  { request: 'an MLP-Mixer', family: 'mixer' },
  { request: 'a shallow MLP without dropout', family: 'mlp' },
];

describe('offline architect through the loop', { timeout: PYTHON_TIMEOUT_MS }, () => {
  const validator = new RunnerValidator({ checkSpace: true });
  afterAll(() => validator.close());
  const codes = new Map<string, string>();

  for (const r of REQUESTS) {
    it(`designs a valid ${r.family} model for "${r.request}"`, async () => {
      const provider = new OfflineArchitect();
      const result = await generateModel({ request: r.request, dims, edaFacts, provider, validator, maxIterations: 2 });
      if (!result.ok) console.error(result.log);
      expect(result.ok).toBe(true);
      // The first design must validate; when it does not, say why (the log holds each iteration's report).
      expect(result.iterations, result.log).toHaveLength(1);
      expect(result.provider).toBe('offline');
      expect(result.explanation).toMatch(/^Offline architect \(no LLM configured\)/);
      expect(result.explanation).toContain(`Family: ${r.family}`);
      expect(result.log).toContain('Validation: OK');
      const code = result.code ?? '';
      expect(code).toMatch(/^class Model\(nn\.Module\):/m);
      expect(code).toMatch(/^SEARCH_SPACE = \{"/m);
      if (r.name) expect(result.name).toMatch(r.name);
      if (r.budget) expect(result.report?.params).toBeLessThanOrEqual(r.budget);
      codes.set(r.request, createHash('sha256').update(code).digest('hex'));
    });
  }

  it('fits a budget constraint and says so', async () => {
    const result = await generateModel({
      request: 'design a lightweight inception model',
      dims,
      edaFacts,
      provider: new OfflineArchitect(),
      validator,
      constraints: { paramBudget: 3_000 },
    });
    expect(result.ok, result.log).toBe(true);
    expect(result.report?.params).toBeLessThanOrEqual(3_000);
    expect(result.explanation).toContain('(limit 3,000)');
  });

  it('falls back to a low-rank linear model when nothing else fits a long window and horizon', async () => {
    const long: ModelDims = { task: 'forecasting', lookback: 336, horizon: 720, nFeatures: 21 };
    const result = await generateModel({ request: 'a small GRU under 20k parameters', dims: long, edaFacts, provider: new OfflineArchitect(), validator });
    expect(result.ok, result.log).toBe(true);
    expect(result.name).toBe('LowRankDLinear');
    expect(result.report?.params).toBeLessThanOrEqual(20_000);
    expect(result.explanation).toContain('no recurrent variant fits 20,000 parameters');
  });

  it('gives twelve distinct models', () => {
    expect(codes.size).toBe(12);
    expect(new Set(codes.values()).size).toBe(12);
  });
});
