import { describe, expect, it } from 'vitest';
import { buildDesignMessages, buildRepairPrompt, buildSystemPrompt, formatEdaFacts, trimTraceback } from '../../../engine/architect/prompt.js';
import type { ValidationReport } from '../../../engine/runner/types.js';

const dims = { task: 'forecasting' as const, lookback: 96, horizon: 24, nFeatures: 7 };

function report(over: Partial<ValidationReport>): ValidationReport {
  return {
    ok: false, stage: 'forward', message: '', violations: [], traceback: null, errorLine: null, expectedShape: [4, 24, 7],
    outputShape: null, projection: null, params: null, latencyMs: null, searchSpace: null, durationMs: 1, ...over,
  };
}

describe('system prompt', () => {
  it('states the contract, the data, the constraints, the sandbox and the output protocol', () => {
    const p = buildSystemPrompt({
      request: 'x',
      dims,
      edaContext: formatEdaFacts({ periods: [24, 168], stationary: false, volatility: 'high' }),
      constraints: { paramBudget: 50_000, latencyMsBudget: 5, forbidden: ['LSTM'] },
    });
    expect(p).toContain('(B, 96, 7)');
    expect(p).toContain('(B, 24, 7)');
    expect(p).toContain('def __init__(self, seq_len, pred_len, enc_in');
    expect(p).toContain('dominant periods (in steps): 24, 168; the series are non-stationary (trend or level shifts); volatility: high');
    expect(p).toContain('at most 50,000 trainable parameters');
    expect(p).toContain('under 5 ms');
    expect(p).toContain('do not use: LSTM');
    expect(p).toMatch(/imports only from torch, torch\.nn, torch\.nn\.functional, math and typing/);
    expect(p).toContain('exactly one ```python code block and no prose outside it');
    expect(p).toContain('SEARCH_SPACE');
    expect(p).toMatch(/`cycle_index`, a LongTensor \(B,\).*no dataset period is known/);
    expect(p).toContain('`calendar`, a float tensor (B, L, 6)');
    expect(buildSystemPrompt({ request: 'x', dims: { ...dims, period: 24 } })).toContain("set to the dataset's period, 24 steps");
    const msgs = buildDesignMessages({ request: '  a tiny model ', dims });
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user']);
    expect(msgs[1]?.content).toBe('Design request: a tiny model');
  });
});

describe('repair prompt', () => {
  const code = 'import torch\nclass Model:\n    def forward(self, x):\n        return self.proj(x)\n';

  it('carries stage, message, offending line, shapes and the traceback', () => {
    const r = report({ message: "AttributeError: no 'proj'", traceback: 'Traceback (most recent call last):\n  File "<model>", line 4, in forward\nAttributeError: no \'proj\'', errorLine: 4 });
    const p = buildRepairPrompt({ failure: { stage: 'forward', message: r.message, report: r }, code, iteration: 1, maxIterations: 5, history: [] });
    expect(p).toContain('Attempt 1 of 5 failed validation.');
    expect(p).toContain('Stage: forward');
    expect(p).toContain('Offending line 4: return self.proj(x)');
    expect(p).toContain('File "<model>", line 4, in forward');
    expect(p).toContain('corrected FULL model');

    const s = report({ stage: 'shape', message: 'bad shape', outputShape: [4, 96, 7] });
    expect(buildRepairPrompt({ failure: { stage: 'shape', message: 'bad shape', report: s }, code, iteration: 2, maxIterations: 5 })).toContain(
      'Expected output shape: (4, 24, 7); actual output shape: (4, 96, 7)',
    );
  });

  it('lists policy violations with their source lines', () => {
    const r = report({ stage: 'policy', violations: [{ line: 1, col: 0, rule: 'import', message: 'import of os is not allowed' }] });
    const p = buildRepairPrompt({ failure: { stage: 'policy', message: '1 violation', report: r }, code: 'import os\n', iteration: 1, maxIterations: 3 });
    expect(p).toContain('line 1, col 0 [import]: import of os is not allowed\n      import os');
  });

  it('keeps the end of a long traceback', () => {
    const tb = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const t = trimTraceback(tb, 10);
    expect(t.split('\n')).toHaveLength(11);
    expect(t).toMatch(/^… \(90 earlier lines omitted\)/);
    expect(t.endsWith('line 99')).toBe(true);
  });
});
