/**
 * The light zoo models (CycleNet, TimeBase, FITS, SegRNN) through the real sandboxed runner, and
 * the extra inputs a model's forward asks for by name (cycle_index, calendar): what the runner
 * supplies in each split, from the time index, and how exports take them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zooFiles } from '../../../engine/models/registry.js';
import { makeClient, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const zoo = new Map(zooFiles().map((z) => [z.name, z.code]));
const code = (name: string): string => {
  const c = zoo.get(name);
  if (!c) throw new Error(`no zoo model ${name}`);
  return c;
};
// 600 hourly rows from 2020-01-01T00:00Z: test split rows 480..600.
const data = syntheticData({ rows: 600, channels: 3 });
const dims = { task: 'forecasting' as const, lookback: 48, horizon: 12, nFeatures: 3 };

describe('light zoo models train and evaluate through the runner', () => {
  it.each([
    ['cyclenet', {}],
    ['cyclenet', { backbone: 'mlp', d_model: 32 }],
    ['timebase', {}],
    ['fits', {}],
    ['segrnn', { d_model: 32 }],
  ] as const)('%s %j', async (name, hyper) => {
    const report = await client.validate(code(name), { ...dims, period: 24 });
    expect(report.message).toBe('model satisfies the contract');
    expect(report.searchSpace).not.toBeNull();
    const t = await client.train({ code: code(name), dims: { ...dims, period: 24 }, hyper, data, workDir: tmp(`zoo-${name}`), train: { epochs: 3, batchSize: 32, lr: 3e-3, loss: 'mse' } });
    expect(t.epochs).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(t.bestValLoss)).toBe(true);
    const ev = await client.evaluate({ code: code(name), dims: { ...dims, period: 24 }, hyper, data, weightsPath: t.weightsPath });
    expect(ev.metrics.task).toBe('forecasting');
    if (ev.metrics.task !== 'forecasting') return;
    // Stationary sinusoids, z-scored: forecasting the training mean scores an MSE of about 1;
    // every model does clearly better after three epochs.
    expect(ev.metrics.mse).toBeLessThan(0.85);
  }, 240_000);
});

// A model whose forecast is the extra input itself, so the evaluated sample shows exactly what the
// runner supplied for the last test window (its first input row is rows - L - H = 540).
const ECHO_CYCLE = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, cycle_len: int = 7):
        super().__init__()
        self.pred_len = pred_len
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x, cycle_index):
        assert cycle_index.dtype == torch.long and cycle_index.shape == (x.shape[0],)
        y = cycle_index.float().view(-1, 1, 1).expand(x.shape[0], self.pred_len, x.shape[2])
        return y + 0.0 * self.w
`;
const ECHO_CALENDAR = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.pred_len = pred_len
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x, calendar):
        # Only the input window's timestamps: one row of features per input row.
        assert calendar.shape == (x.shape[0], x.shape[1], 6)
        hour = calendar[:, -1, 1].view(-1, 1, 1)  # hour of day of the last input row
        return hour.expand(x.shape[0], self.pred_len, x.shape[2]) + 0.0 * self.w
`;

describe('extra inputs by name', () => {
  const target = 2; // the sample's channel (the dataset's target s2)
  const toScaled = (v: number): number => (v - data.meta.scaler.mean[target]!) / data.meta.scaler.std[target]!;
  const lastStart = 600 - dims.lookback - dims.horizon;

  async function sampleOf(src: string, d: typeof dims & { period?: number }): Promise<number> {
    const t = await client.train({ code: src, dims: d, data, workDir: tmp('echo'), train: { epochs: 1 } });
    const ev = await client.evaluate({ code: src, dims: d, data, weightsPath: t.weightsPath });
    if (ev.metrics.task !== 'forecasting') throw new Error('not forecasting');
    const first = ev.metrics.sample?.prediction[0];
    if (first === undefined) throw new Error("no sample in the evaluation");
    return toScaled(first);
  }

  it('cycle_index is the phase of the first input row, modulo the model’s cycle_len', async () => {
    // The phase counts grid steps since the epoch, so it means the same in every split (and for
    // P=24 on an hourly grid it is the hour of day): row r sits at phase (start/step + r) mod P.
    const epochStep = Date.parse(data.meta.start) / 3_600_000;
    // No dataset period: the constructor default (7).
    expect(await sampleOf(ECHO_CYCLE, dims)).toBeCloseTo((epochStep + lastStart) % 7, 3);
    // The dataset's period reaches the constructor and the index alike.
    expect(await sampleOf(ECHO_CYCLE, { ...dims, period: 24 })).toBeCloseTo((epochStep + lastStart) % 24, 3);
  }, 240_000);

  it('calendar carries the input rows’ timestamps, up to the last input row only', async () => {
    const lastInputHour = (lastStart + dims.lookback - 1) % 24;
    expect(await sampleOf(ECHO_CALENDAR, dims)).toBeCloseTo(lastInputHour / 23 - 0.5, 4);
  }, 240_000);

  it('a model asking for cycle_index with no period anywhere is refused with the reason', async () => {
    const src = ECHO_CYCLE.replace(', cycle_len: int = 7', '');
    const bad = await client.validate(src, dims);
    expect(bad.ok).toBe(false);
    expect(bad.stage).toBe('forward');
    expect(bad.message).toMatch(/cycle_index.*no period is known/);
    expect((await client.validate(src, { ...dims, period: 12 })).ok).toBe(true);
  }, 120_000);

  it('exports take the extra inputs after x (TorchScript, ONNX, the wrapper)', async () => {
    const d = { ...dims, period: 24 };
    const t = await client.train({ code: code('cyclenet'), dims: d, data, workDir: tmp('cyc-exp'), train: { epochs: 1 } });
    const out = path.join(tmp('cyc-out'), 'm');
    const r = await client.export({ code: code('cyclenet'), dims: d, weightsPath: t.weightsPath, outDir: out, data: { name: 'synthetic', meta: data.meta } });
    expect(r.errors).toEqual([]);
    expect(r.roundTrip).toMatchObject({ ok: true, torchscriptMode: 'trace' });
    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8')) as { build: { inputs: unknown[]; constructor: Record<string, unknown> } };
    expect(meta.build.inputs).toEqual([{ name: 'cycle_index', shape: ['B'], dtype: 'int64', period: 24 }]);
    expect(meta.build.constructor.cycle_len).toBe(24);
    expect(readFileSync(path.join(out, 'USAGE.md'), 'utf8')).toMatch(/## Extra inputs/);
  }, 240_000);
});
