/**
 * The baseline zoo on ETTh1 through the real runner (sandboxed), at the published protocol:
 * ETT 12/4/4-month split, L=96, H=96, MSE loss, Adam lr 1e-3 without weight decay, batch 64,
 * early stopping on validation (patience 3), at most 10 epochs; scaled test MSE/MAE, no drop_last.
 * Targets from the issue: DLinear ≤ 0.39, PatchTST ≤ 0.42, iTransformer ≤ 0.39.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareFromSource } from '../engine/data/index.js';
import { zooFiles } from '../engine/models/registry.js';
import { RunnerClient } from '../engine/runner/client.js';
import type { BenchResult } from './types.js';

const TARGETS: Record<string, number> = { dlinear: 0.39, patchtst: 0.42, itransformer: 0.39 };
const MODELS = (process.env.GENAUTOML_BENCH_ZOO ?? 'dlinear,nlinear,rlinear,itransformer,patchtst').split(',');

export default async function (): Promise<BenchResult[]> {
  const csv = ['../shared/datasets/ETTh1.csv', '/work/shared/datasets/ETTh1.csv'].map((p) => path.resolve(p)).find((p) => fs.existsSync(p));
  if (!csv) return [{ name: 'zoo/etth1', metrics: {}, notes: 'ETTh1.csv not found beside the project (../shared/datasets)' }];
  const work = await mkdtemp(path.join(os.tmpdir(), 'genautoml-zoo-'));
  const runner = new RunnerClient({ threads: os.cpus().length, validatePoolSize: 0, trialTimeoutS: 7200 });
  const results: BenchResult[] = [];
  try {
    const { dataset } = await prepareFromSource({ kind: 'path', path: csv }, { split: 'ett' }, { allowedDirs: [path.dirname(csv)], maxBytes: 1e9, urlTimeoutMs: 1000 });
    const values = path.join(work, 'values.f32');
    fs.writeFileSync(values, new Uint8Array(dataset.values.buffer, dataset.values.byteOffset, dataset.values.byteLength));
    const data = { valuesPath: values, meta: dataset.meta, name: 'ETTh1' };
    const dims = { task: 'forecasting' as const, lookback: 96, horizon: 96, nFeatures: dataset.meta.columns.length };
    const zoo = new Map(zooFiles().map((z) => [z.name, z.code]));
    for (const name of MODELS) {
      const code = zoo.get(name);
      if (!code) continue;
      const t0 = performance.now();
      const trained = await runner.train({ code, dims, data, workDir: path.join(work, name), train: { epochs: 10, patience: 3, lr: 1e-3, weightDecay: 0, loss: 'mse', batchSize: 64, seed: 2021 } });
      const ev = await runner.evaluate({ code, dims, data, weightsPath: trained.weightsPath });
      const m = ev.metrics;
      if (m.task !== 'forecasting') continue;
      const target = TARGETS[name];
      results.push({
        name: `zoo/etth1/${name}`,
        metrics: { test_mse: m.mse, test_mae: m.mae, params: trained.params, epochs: trained.epochs, train_s: trained.trainTimeS, wall_s: (performance.now() - t0) / 1000 },
        ...(target === undefined ? {} : { target: `test_mse <= ${target}`, pass: m.mse <= target }),
      });
    }
  } finally {
    await runner.close();
    await rm(work, { recursive: true, force: true });
  }
  return results;
}
