import { afterAll, describe, expect, it } from 'vitest';
import { makeClient, model, removeTmp } from './helpers.js';

const client = makeClient();
afterAll(async () => {
  await client.close();
  removeTmp();
});
const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };

describe('validate: good models', () => {
  it.each(['linear.py', 'conv.py', 'gru.py'])('%s satisfies the contract', async (file) => {
    const r = await client.validate(model(file), dims);
    expect(r.message).toContain('contract');
    expect(r).toMatchObject({ ok: true, stage: 'ok', outputShape: [2, 6, 3], projection: null, sandboxed: true });
    expect(r.params).toBeGreaterThan(0);
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it('builds tensors from Python lists (torch re-imports its own modules through the model frame)', async () => {
    const code = [
      'import torch',
      'import torch.nn as nn',
      '',
      'class Model(nn.Module):',
      '    def __init__(self, seq_len, pred_len, enc_in):',
      '        super().__init__()',
      '        self.scale = nn.Parameter(torch.tensor([1.0] * enc_in))',
      '        self.proj = nn.Linear(seq_len, pred_len)',
      '',
      '    def forward(self, x):',
      '        return self.proj(x.transpose(1, 2)).transpose(1, 2) * self.scale',
    ].join('\n');
    const r = await client.validate(code, dims);
    expect(r.message).toContain('contract');
    expect(r.ok).toBe(true);
  });

  it('reads SEARCH_SPACE and builds with hyperparameters', async () => {
    const r = await client.validate(model('conv.py'), dims, { hyper: { hidden: 16, kernel: 5 } });
    expect(r.ok).toBe(true);
    expect(r.searchSpace).toEqual({ hidden: [8, 16], kernel: [3, 5] });
    const small = await client.validate(model('conv.py'), dims);
    expect(r.params!).toBeGreaterThan(small.params!);
  });

  it('builds Time-Series-Library style models (configs object, extra forward args)', async () => {
    const r = await client.validate(model('tslib_style.py'), dims);
    expect(r).toMatchObject({ ok: true, projection: null });
  });

  it('wraps a model in Dyn-RevIN (affine adds 2C parameters)', async () => {
    const plain = await client.validate(model('linear.py'), dims);
    const revin = await client.validate(model('linear.py'), dims, { revin: true });
    const noAffine = await client.validate(model('linear.py'), dims, { revin: { affine: false } });
    expect(revin.ok).toBe(true);
    expect(revin.params).toBe(plain.params! + 2 * dims.nFeatures);
    expect(noAffine.params).toBe(plain.params);
  });
});

describe('validate: projection head', () => {
  it.each([
    ['proj_channels.py', 'channel', 6 * 3 + 3],
    ['proj_length.py', 'time', 5 * 6 + 6],
    ['proj_flat.py', 'reshape', 0],
    ['proj_transposed.py', 'transpose', 0],
    ['proj_embedding.py', 'flatten', 32 * 18 + 18],
  ])('%s gets a %s projection', async (file, kind, extra) => {
    const r = await client.validate(model(file), dims);
    expect(r.ok, r.message).toBe(true);
    expect(r.projection?.kind).toBe(kind);
    expect(r.message).toContain('projection attached');
    const noProj = r.params! - extra;
    expect(noProj).toBeGreaterThan(0);
  });
});

describe('validate: contract failures', () => {
  it('rejects an empty SEARCH_SPACE list', async () => {
    const r = await client.validate(model('bad_search_space.py'), dims);
    expect(r).toMatchObject({ ok: false, stage: 'search_space' });
    expect(r.message).toMatch(/non-empty/);
  });

  it('rejects SEARCH_SPACE keys that are not constructor parameters', async () => {
    const r = await client.validate(model('unknown_key_search_space.py'), dims);
    expect(r).toMatchObject({ ok: false, stage: 'search_space' });
    expect(r.message).toMatch(/depth/);
  });

  it('names parameters that receive no gradient', async () => {
    const r = await client.validate(model('dead_param.py'), dims);
    expect(r).toMatchObject({ ok: false, stage: 'gradient' });
    expect(r.message).toMatch(/unused\.weight/);
  });

  it('enforces the parameter budget', async () => {
    const r = await client.validate(model('big.py'), dims, { paramBudget: 10_000 });
    expect(r).toMatchObject({ ok: false, stage: 'budget' });
    expect(r.message).toMatch(/budget is 10,000/);
  });

  it('rejects unknown hyperparameters', async () => {
    const r = await client.validate(model('linear.py'), dims, { hyper: { depth: 3 } });
    expect(r).toMatchObject({ ok: false, stage: 'construct' });
  });

  // How fast a warm validation is, is measured by `npm run bench -- runner`, not asserted here.
  it('keeps a started process waiting for the next validation (warm pool)', async () => {
    await client.validate(model('linear.py'), dims);
    await client.warmUp(); // the pool refills in the background (torch import)
    expect(client.warmValidators).toBeGreaterThanOrEqual(1);
    const r = await client.validate(model('linear.py'), dims);
    expect(r.ok).toBe(true);
  });

  // The probe is read after the process exits; its directory must outlive the process until then
  // (removing it at exit raced the read and refused valid models under load).
  it('validates a good model every time, two at once', async () => {
    const refused: string[] = [];
    for (let i = 0; i < 6; i++) {
      const rs = await Promise.all([0, 1].map(() => client.validate(model('linear.py'), dims)));
      for (const r of rs) if (!r.ok) refused.push(`${r.stage}: ${r.message}`);
    }
    expect(refused).toEqual([]);
  }, 120_000);
});
