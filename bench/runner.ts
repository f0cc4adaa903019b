/**
 * Runner benchmarks: training throughput of the sandboxed runner against a minimal hand-written
 * PyTorch loop (same model, data, batch size, optimiser and threads, in the same run), and
 * validate latency cold (fresh process: interpreter + torch import) and warm (pooled process).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PreparedMeta } from '../engine/data/prepared.js';
import { RunnerClient } from '../engine/runner/client.js';
import type { DataRef } from '../engine/runner/types.js';
import type { BenchResult } from './types.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const THREADS = 1;
const EPOCHS = 3;
const L = 96;
const H = 96;

const MODEL = `import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, hidden=256):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(seq_len, hidden), nn.GELU(), nn.Linear(hidden, pred_len))

    def forward(self, x):
        return self.net(x.transpose(1, 2)).transpose(1, 2)
`;

// The reference: what a person would write by hand for the same training, nothing more.
const HAND_LOOP = `
import json, sys, time, types
import numpy as np, torch


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"]); torch.manual_seed(0)
    mod = types.ModuleType("m"); exec(cfg["code"], mod.__dict__)
    rows, C = cfg["rows"], cfg["C"]
    series = torch.from_numpy(np.fromfile(cfg["values"], dtype="<f4").reshape(rows, C).copy())
    L, H, (a, b) = cfg["L"], cfg["H"], cfg["train"]
    starts = torch.arange(a, b - L - H + 1)
    model = mod.Model(L, H, C)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    ar = torch.arange(L + H)
    g = torch.Generator().manual_seed(0)
    samples, t_train = 0, 0.0
    for epoch in range(cfg["epochs"]):
        t0 = time.perf_counter()
        model.train()
        order = starts[torch.randperm(len(starts), generator=g)]
        for i in range(0, len(order), 64):
            w = series[order[i:i + 64, None] + ar]
            x, y = w[:, :L], w[:, L:]
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.l1_loss(model(x), y)
            loss.backward()
            opt.step()
        t_train += time.perf_counter() - t0
        samples += len(order)
    print(json.dumps({"samples_per_s": samples / t_train}))


main()
`;

function loadEtth1OrSynthetic(dir: string): { data: DataRef; source: string } {
  const csv = [path.resolve(process.cwd(), '../shared/datasets/ETTh1.csv'), path.resolve(here, '../../shared/datasets/ETTh1.csv'), '/work/shared/datasets/ETTh1.csv'].find((p) => existsSync(p)) ?? '';
  let rows: number[][];
  let source: string;
  if (csv) {
    rows = readFileSync(csv, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').slice(1).map(Number));
    source = 'ETTh1';
  } else {
    rows = Array.from({ length: 17_420 }, (_, t) => Array.from({ length: 7 }, (_, c) => Math.sin((t * (c + 1)) / 24) + 0.01 * c));
    source = 'synthetic 17420x7';
  }
  const n = Math.min(rows.length, 14_400); // ETT protocol: 12/4/4 months of 30 days
  const C = rows[0]!.length;
  const trainEnd = 8640;
  const valEnd = 11_520;
  const mean = Array.from({ length: C }, (_, c) => rows.slice(0, trainEnd).reduce((s, r) => s + r[c]!, 0) / trainEnd);
  const std = Array.from({ length: C }, (_, c) => Math.sqrt(rows.slice(0, trainEnd).reduce((s, r) => s + (r[c]! - mean[c]!) ** 2, 0) / trainEnd));
  const values = new Float32Array(n * C);
  for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) values[t * C + c] = (rows[t]![c]! - mean[c]!) / std[c]!;
  const valuesPath = path.join(dir, 'values.f32');
  writeFileSync(valuesPath, Buffer.from(values.buffer));
  const meta: PreparedMeta = {
    formatVersion: 1,
    rows: n,
    columns: Array.from({ length: C }, (_, i) => `c${i}`),
    target: `c${C - 1}`,
    frequencyMs: 3_600_000,
    start: '2016-07-01T00:00:00Z',
    end: '2018-06-26T00:00:00Z',
    splits: { train: [0, trainEnd], val: [trainEnd, valEnd], test: [valEnd, n] },
    scaler: { mean, std },
    hasLabels: false,
  };
  return { data: { valuesPath, meta, name: source }, source };
}

async function trainThroughput(dir: string): Promise<BenchResult> {
  const { data, source } = loadEtth1OrSynthetic(dir);
  const C = data.meta.columns.length;
  const client = new RunnerClient({ threads: THREADS, validatePoolSize: 0, device: 'cpu' });
  try {
    const hand = async (): Promise<number> => {
      const cfg = { code: MODEL, values: data.valuesPath, rows: data.meta.rows, C, L, H, train: data.meta.splits.train, epochs: EPOCHS, threads: THREADS };
      const { stdout } = await execFileAsync(PYTHON, ['-c', HAND_LOOP, JSON.stringify(cfg)], { env: { PATH: '/usr/bin:/bin', OMP_NUM_THREADS: String(THREADS) }, maxBuffer: 1 << 20 });
      return (JSON.parse(stdout.trim().split('\n').pop()!) as { samples_per_s: number }).samples_per_s;
    };
    const runner = async (): Promise<number> => {
      const r = await client.train({
        code: MODEL,
        dims: { task: 'forecasting', lookback: L, horizon: H, nFeatures: C },
        data,
        workDir: path.join(dir, `work-${Math.random().toString(36).slice(2)}`),
        train: { epochs: EPOCHS, patience: 100, batchSize: 64 },
      });
      return r.samplesPerS;
    };
    // Interleaved pairs, median of the per-pair ratios: the machine may be shared, and load
    // swings between runs are larger than the difference being measured.
    const ratios: number[] = [];
    const hands: number[] = [];
    const runners: number[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await hand();
      const r = await runner();
      hands.push(h);
      runners.push(r);
      ratios.push(r / h);
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const handSps = med(hands);
    const runnerSps = med(runners);
    const ratio = med(ratios);
    return {
      name: 'runner/train_throughput',
      metrics: { runner_samples_per_s: runnerSps, hand_samples_per_s: handSps, ratio },
      target: 'ratio >= 0.95',
      pass: ratio >= 0.95,
      notes: `${source}, L=${L} H=${H}, MLP over time, batch 64, ${EPOCHS} epochs, ${THREADS} thread(s), runner sandboxed`,
    };
  } finally {
    await client.close();
  }
}

async function validateLatency(): Promise<BenchResult[]> {
  const dims = { task: 'forecasting' as const, lookback: L, horizon: H, nFeatures: 7 };
  const cold = new RunnerClient({ threads: 1, validatePoolSize: 0, device: 'cpu' });
  const warm = new RunnerClient({ threads: 1, validatePoolSize: 1, device: 'cpu' });
  try {
    await cold.validate(MODEL, dims); // sets up the client (interpreter layout, bwrap check)
    const coldTimes: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      const r = await cold.validate(MODEL, dims);
      if (!r.ok) throw new Error(r.message);
      coldTimes.push(performance.now() - t);
    }
    await warm.warmUp();
    const warmTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      await warm.warmUp(); // a pooled process with torch imported is waiting
      const t = performance.now();
      const r = await warm.validate(MODEL, dims);
      if (!r.ok) throw new Error(r.message);
      warmTimes.push(performance.now() - t);
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return [
      { name: 'runner/validate_cold', metrics: { wall_ms: med(coldTimes) }, notes: 'fresh sandboxed process: interpreter start and torch import included' },
      { name: 'runner/validate_warm', metrics: { wall_ms: med(warmTimes) }, target: 'wall_ms < 1000', pass: med(warmTimes) < 1000, notes: 'pooled process with torch imported' },
    ];
  } finally {
    await Promise.all([cold.close(), warm.close()]);
  }
}

export default async function (): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'genautoml-bench-runner-'));
  try {
    return [await trainThroughput(dir), ...(await validateLatency())];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
