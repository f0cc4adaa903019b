/** Export round trips for models with wrappers (Dyn-RevIN, projection heads, recurrent layers). */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const data = syntheticData({ rows: 400, channels: 3 });
const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };

function hasOnnx(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('export', () => {
  it.each([
    ['gru.py', false],
    ['proj_embedding.py', true],
    ['tslib_style.py', false],
  ] as const)('%s (revin %s) reloads from state_dict and TorchScript with the same predictions', async (file, revin) => {
    const t = await client.train({ code: model(file), dims, data, revin, workDir: tmp('exp-train'), train: { epochs: 1 } });
    const out = path.join(tmp('exp'), 'm');
    const r = await client.export({ code: model(file), dims, revin, weightsPath: t.weightsPath, outDir: out, data: { name: 'synthetic', meta: data.meta } });
    expect(r.errors).toEqual([]);
    expect(r.roundTrip).toMatchObject({ ok: true, torchscriptMode: 'trace' });
    expect(r.roundTrip.stateDictMaxAbsDiff).toBeLessThan(1e-5);
    expect(r.roundTrip.torchscriptMaxAbsDiff!).toBeLessThan(1e-5);
    expect(statSync(path.join(out, 'model.onnx')).size).toBeGreaterThan(100);
    if (hasOnnx()) expect(r.roundTrip.onnxChecked).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ dataset: 'synthetic', lookback: 24, horizon: 6, columns: ['s0', 's1', 's2'], scaler: data.meta.scaler });
    expect(readFileSync(path.join(out, 'USAGE.md'), 'utf8')).toMatch(/torch\.jit\.load/);
  }, 240_000);

  it('reloads outside the runner with plain torch (the exported wrapper and TorchScript)', async () => {
    const t = await client.train({ code: model('conv.py'), dims, data, revin: true, workDir: tmp('exp2'), train: { epochs: 1 } });
    const out = path.join(tmp('exp2o'), 'm');
    await client.export({ code: model('conv.py'), dims, revin: true, weightsPath: t.weightsPath, outDir: out, data: { meta: data.meta } });
    const script = [
      'import sys, torch',
      `sys.path.insert(0, ${JSON.stringify(out)})`,
      'from genautoml_wrapper import load_model',
      `m = load_model(${JSON.stringify(out)})`,
      `ts = torch.jit.load(${JSON.stringify(path.join(out, 'model.torchscript.pt'))})`,
      'x = torch.randn(5, 24, 3)',
      'print(float((m(x) - ts(x)).abs().max()))',
    ].join('\n');
    const diff = Number(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim());
    expect(diff).toBeLessThan(1e-5);
  }, 240_000);
});
