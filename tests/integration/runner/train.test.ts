import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import type { EpochEvent, RunnerEvent } from '../../../engine/runner/types.js';
import { makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const data = syntheticData({ rows: 500, channels: 3 });
const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };

describe('train → evaluate → latency → export', () => {
  const work = tmp('train');
  let weights = '';

  it('trains with epoch events, early stopping bookkeeping and saved weights', async () => {
    const events: RunnerEvent[] = [];
    const r = await client.train(
      { code: model('linear.py'), dims, data, workDir: work, train: { epochs: 6, batchSize: 32, lr: 3e-3 } },
      { onEvent: (e) => events.push(e) },
    );
    const epochs = events.filter((e): e is EpochEvent => e.event === 'epoch');
    expect(epochs).toHaveLength(r.epochs);
    expect(r.epochs).toBeGreaterThanOrEqual(1);
    for (const e of epochs) {
      expect(e.train_loss).toBeGreaterThan(0);
      expect(e.val_loss).toBeGreaterThan(0);
      expect(e.elapsed).toBeGreaterThan(0);
      expect(e.lr).toBeGreaterThan(0);
    }
    // The model learns the sinusoids: validation loss falls from the first epoch.
    expect(r.bestValLoss!).toBeLessThan(epochs[0]!.val_loss!);
    expect(r.history.length).toBe(r.epochs);
    expect(r.samplesPerS).toBeGreaterThan(0);
    // The epoch loop as the host saw it, from the start event to the last scored epoch.
    expect(r.loopS).toBeGreaterThan(0);
    expect(r.sandboxed).toBe(true);
    expect(existsSync(r.weightsPath)).toBe(true);
    weights = r.weightsPath;
  }, 180_000);

  it('stops mid-epoch when the time budget runs out, instead of finishing the epoch', async () => {
    // Pure-Python busy work in training mode only: one epoch at batch size 1 takes far longer
    // than the runner's 25 s wall clock, so only a per-batch budget check lets this return.
    const slow = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.proj = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        if self.training:
            total = 0
            for i in range(3000000):
                total += i
        return self.proj(x.transpose(1, 2)).transpose(1, 2)
`;
    const r = await client.train({ code: slow, dims, data, workDir: tmp('budget'), train: { epochs: 5, batchSize: 1, timeBudgetS: 2 } }, { timeoutS: 25 });
    expect(r.stopReason).toBe('time_budget');
    expect(r.epochs).toBe(1);
    expect(r.history).toHaveLength(1);
    expect(Number.isFinite(r.bestValLoss)).toBe(true);
  }, 120_000);

  it('trains deterministically for a fixed seed', async () => {
    const a = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('det-a'), train: { epochs: 2, seed: 3 } });
    const b = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('det-b'), train: { epochs: 2, seed: 3 } });
    expect(a.history.map((h) => h.val_loss)).toEqual(b.history.map((h) => h.val_loss));
  }, 180_000);

  it('evaluates on the test split in scaled and original units', async () => {
    const r = await client.evaluate({ code: model('linear.py'), dims, data, weightsPath: weights });
    const m = r.metrics;
    expect(m.task).toBe('forecasting');
    if (m.task !== 'forecasting') return;
    expect(m.rmse).toBeCloseTo(Math.sqrt(m.mse), 6);
    expect(m.mse).toBeLessThan(0.5);
    // 100 test rows, L=24, H=6: windows start L rows before the split, no drop_last.
    expect(m.windows).toBe(100 - 6 + 1);
    expect(m.maeOriginal).toBeGreaterThan(0);
    expect(m.targetMaeOriginal).not.toBeNull();
  }, 120_000);

  it('measures latency at batch 1 and batched', async () => {
    const r = await client.latency({ code: model('linear.py'), dims, weightsPath: weights, repeats: 5, batchSize: 16 });
    expect(r.batch1MsPerSample).toBeGreaterThan(0);
    expect(r.batchedMsPerSample).toBeGreaterThan(0);
    expect(r.params).toBe(150);
  }, 120_000);

  it('exports a model directory that round-trips', async () => {
    const out = path.join(tmp('export'), 'model');
    const r = await client.export({ code: model('linear.py'), dims, weightsPath: weights, outDir: out, data: { name: 'synthetic', meta: data.meta }, metrics: { mse: 0.1 } });
    expect(r.errors).toEqual([]);
    expect(r.roundTrip.ok).toBe(true);
    expect(r.roundTrip.stateDictMaxAbsDiff).toBeLessThan(1e-5);
    expect(r.roundTrip.torchscriptMaxAbsDiff!).toBeLessThan(1e-5);
    const names = readdirSync(out).sort();
    expect(names).toEqual(expect.arrayContaining(['USAGE.md', 'genautoml_wrapper.py', 'metadata.json', 'model.onnx', 'model.py', 'model.torchscript.pt', 'weights.pt']));
    expect(statSync(path.join(out, 'model.onnx')).size).toBeGreaterThan(0);
  }, 180_000);

  it('prunes on stop() after the current epoch and keeps the best weights', async () => {
    const run = client.train(
      { code: model('conv.py'), dims, data, workDir: tmp('prune'), train: { epochs: 50, patience: 50 } },
      { onEvent: (e) => e.event === 'epoch' && e.epoch === 2 && run.stop() },
    );
    const r = await run;
    expect(r.stopReason).toBe('pruned');
    // The stop message is read between epochs; on a loaded host it may land an epoch or two late.
    expect(r.epochs).toBeGreaterThanOrEqual(2);
    expect(r.epochs).toBeLessThan(50);
    expect(r.history).toHaveLength(r.epochs);
  }, 180_000);

  it('cancels with SIGTERM/SIGKILL and rejects with runner.cancelled', async () => {
    const ac = new AbortController();
    const run = client.train(
      { code: model('gru.py'), dims, data, workDir: tmp('cancel'), train: { epochs: 500, patience: 500 } },
      { signal: ac.signal, onEvent: (e) => e.event === 'epoch' && ac.abort() },
    );
    await expect(run).rejects.toMatchObject({ code: 'runner.cancelled' });
  }, 180_000);

  it('reports a model that fails during training as runner.model_error with its traceback', async () => {
    const bad = model('linear.py').replace('return self.head(x.transpose(1, 2)).transpose(1, 2)', 'if self.training and x.shape[0] == 5: raise ValueError("boom")\n        return self.head(x.transpose(1, 2)).transpose(1, 2)');
    const err = await client.train({ code: bad, dims, data, workDir: tmp('boom'), train: { epochs: 2, batchSize: 5 } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).code).toBe('runner.model_error');
    expect(String((err as GenAutoMLError).details?.['traceback'])).toMatch(/model\.py.*\n.*raise ValueError|boom/);
  }, 180_000);
});
