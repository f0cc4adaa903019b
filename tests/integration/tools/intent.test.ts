/**
 * Validation of intent, through the tool layer: arguments that parse but cannot mean what they say
 * (an empty candidate list, budgets and windows that make no sense, a field that is not the
 * tool's, an option another one overrides) are refused with a code and a hint, before any work,
 * instead of being dropped or read another way. Every case here was accepted silently before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { silentLogger } from '../../../engine/log.js';
import { startStudy } from '../../../engine/search/service.js';
import { TOOLS, getTool } from '../../../tools/index.js';
import { invokeTool } from '../../../tools/invoke.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';

const LINEAR = 'import torch\nfrom torch import nn\n\nclass Model(nn.Module):\n    def __init__(self, seq_len, pred_len):\n        super().__init__()\n        self.proj = nn.Linear(seq_len, pred_len)\n\n    def forward(self, x):\n        return self.proj(x.transpose(1, 2)).transpose(1, 2)\n';

describe('validation of intent', () => {
  let t: TestApp;
  let dataset: string;
  let study: string;

  beforeAll(async () => {
    // The queue takes the study's jobs; no worker runs them, so the study stays open.
    t = await createTestApp({ startQueue: true });
    // 400 rows: train 280, validation 40, test 80.
    dataset = await loadSynthetic(t.app, { rows: 400, features: 2 });
    study = (await startStudy(t.app, { dataset, lookback: 24, horizon: 6, candidates: ['dlinear'], maxTrials: 2 }, { origin: 'test' })).id;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const call = (tool: string, args: Record<string, unknown>, origin = 'mcp'): Promise<unknown> =>
    invokeTool(getTool(tool), args, { app: t.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin });

  async function refused(tool: string, args: Record<string, unknown>, origin = 'mcp'): Promise<GenAutoMLError> {
    const err = await call(tool, args, origin).then(() => null, (e: unknown) => e);
    expect(err, `${tool} ${JSON.stringify(args)} should be refused`).toBeInstanceOf(GenAutoMLError);
    const e = err as GenAutoMLError;
    expect(e.hint.length).toBeGreaterThan(0);
    return e;
  }

  it('refuses a field that is not the tool’s, on every tool, naming it', async () => {
    for (const tool of TOOLS) {
      const e = await refused(tool.name, { bogusField: 1 });
      expect(e.code, tool.name).toBe('tool.invalid_arguments');
      expect(e.message, tool.name).toContain('bogusField');
    }
    // Also next to otherwise valid arguments (a misspelt option would have been dropped).
    const e = await refused('search', { dataset, candidates: ['dlinear'], maxTrial: 3 });
    expect(e.message).toContain('maxTrial');
  });

  it('search: an empty candidate list, and budgets that make no sense', async () => {
    expect((await refused('search', { dataset, candidates: [] })).code).toBe('search.no_candidates');
    for (const bad of [{ maxTrials: 0 }, { maxMinutes: -1 }, { maxMinutes: 0 }, { epochs: 0 }, { trialMinutes: 0 }, { parallelism: 0 }, { patience: 0 }]) {
      expect((await refused('search', { dataset, candidates: ['dlinear'], ...bad })).code, JSON.stringify(bad)).toBe('tool.invalid_arguments');
    }
    expect((await refused('search', { dataset, candidates: ['dlinear'], maxMinutes: 1, trialMinutes: 5 })).code).toBe('search.invalid_budget');
  });

  it('search: windows the dataset cannot hold, and lookback given twice', async () => {
    const horizon = await refused('search', { dataset, candidates: ['dlinear'], lookback: 24, horizon: 60 });
    expect(horizon.code).toBe('search.dataset_too_short');
    expect(horizon.message).toMatch(/split has 40 rows, fewer than the horizon 60/);
    expect((await refused('search', { dataset, candidates: ['dlinear'], lookback: 300, horizon: 6 })).code).toBe('search.dataset_too_short');
    expect((await refused('search', { dataset, candidates: ['dlinear'], lookbacks: [] })).code).toBe('search.bad_request');
    const twice = await refused('search', { dataset, candidates: ['dlinear'], lookback: 24, lookbacks: [48, 96] });
    expect(twice.code).toBe('search.bad_request');
    expect(twice.message).toContain('lookbacks');
  });

  it('benchmark: windows the dataset cannot hold are refused before training; a study with dataset options is refused', async () => {
    expect((await refused('benchmark', { dataset, models: ['dlinear'], lookback: 24, horizon: 60 })).code).toBe('search.dataset_too_short');
    const e = await refused('benchmark', { study, models: ['dlinear'] });
    expect(e.code).toBe('tool.invalid_arguments');
    expect(e.message).toContain('models');
  });

  it('validate and generate: features next to a dataset, windows the dataset cannot hold, options a study overrides', async () => {
    expect((await refused('validate', { code: LINEAR, dataset, features: 5 })).code).toBe('tool.invalid_arguments');
    expect((await refused('validate', { code: LINEAR, dataset, lookback: 24, horizon: 60 })).code).toBe('search.dataset_too_short');
    expect((await refused('generate_pytorch_model', { request: 'a small linear model', dataset, features: 5 })).code).toBe('tool.invalid_arguments');
    expect((await refused('generate_pytorch_model', { request: 'a small linear model', dataset, lookback: 24, horizon: 60 })).code).toBe('search.dataset_too_short');
    const e = await refused('generate_pytorch_model', { request: 'a small linear model', study, horizon: 12 });
    expect(e.code).toBe('tool.invalid_arguments');
    expect(e.message).toContain('horizon');
  });

  it('export_model: out from a remote caller is refused, not ignored', async () => {
    const e = await refused('export_model', { study, out: '/tmp/elsewhere' }, 'mcp');
    expect(e.code).toBe('tool.invalid_arguments');
    expect(e.message).toContain('out');
  });

  it('evolve_search: minutes on a study they cannot extend; search_status: a cursor with a study', async () => {
    const e = await refused('evolve_search', { study, minutes: 5 });
    expect(e.code).toBe('search.bad_request');
    expect(e.message).toContain('minutes');
    expect((await refused('search_status', { study, cursor: 'abc' })).code).toBe('tool.invalid_arguments');
  });
});
