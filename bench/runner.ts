/**
 * Runner benchmarks.
 *
 * 1. Training throughput: the sandboxed runner against ../shared/tools/bare_loop.py, run as it is
 *    (the reference a careful person writes by hand), on the same zoo model file, ETTh1 data
 *    (12/4/4 months, z-score fitted on train), batch, epochs, threads, Adam + MAE, RevIN off. Both
 *    sides are timed the same way: seconds per epoch of training plus the validation pass after
 *    it, process start, data load and model build excluded; samples/s = train windows / that.
 *    Each case runs quiet and with a bounded background load on one core (a busy loop this bench
 *    starts before the pair and kills after it).
 * 2. Threads under load: one model at 1 and 2 threads, quiet and loaded (why the trial thread
 *    policy defaults to one thread, engine/runner/threads.ts).
 * 3. validate latency cold (fresh process: interpreter + torch import) and warm (pooled process).
 *
 * Matrix: GENAUTOML_BENCH_RUNNER_MATRIX="dlinear@96,336,720;sparsetsf{hidden=64}@336;…" (default:
 * the quick matrix below; "full" = dlinear, sparsetsf and patchtst at 96, 336 and 720),
 * GENAUTOML_BENCH_RUNNER_EPOCHS (default 2), GENAUTOML_BENCH_RUNNER_BATCH (128),
 * GENAUTOML_BENCH_RUNNER_THREADS (1), GENAUTOML_BENCH_RUNNER_LOAD ("quiet,loaded").
 */
import { loadConfig, pythonPath } from '../engine/config.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PreparedMeta } from '../engine/data/prepared.js';
import { packageRoot } from '../engine/paths.js';
import { RunnerClient } from '../engine/runner/client.js';
import type { DataRef, RunnerEvent } from '../engine/runner/types.js';
import type { BenchResult } from './types.js';

const execFileAsync = promisify(execFile);
const PYTHON = pythonPath(undefined);
const H = 96;
const M = 30 * 24; // ETT months of hours

export interface Case {
  model: string;
  hyper: Record<string, number>;
  lookback: number;
}

const QUICK = 'dlinear@96,336,720;sparsetsf{hidden=64}@96,336,720;patchtst@96';
const FULL = 'dlinear@96,336,720;sparsetsf{hidden=64}@96,336,720;patchtst@96,336,720';

/** "dlinear@96,336;sparsetsf{hidden=64}@336" → cases. */
export function parseMatrix(text: string): Case[] {
  const spec = text.trim() === 'full' ? FULL : text.trim() === 'quick' || text.trim() === '' ? QUICK : text;
  const cases: Case[] = [];
  for (const part of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_]+)(?:\{([^}]*)\})?@([\d,]+)$/.exec(part);
    if (!m) throw new Error(`bad matrix entry ${part}: want model{name=value,…}@L1,L2`);
    const hyper: Record<string, number> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const [k, v] = kv.split('=');
      if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`bad hyperparameter ${kv} in ${part}`);
      hyper[k] = Number(v);
    }
    for (const L of m[3]!.split(',')) cases.push({ model: m[1]!, hyper, lookback: Number(L) });
  }
  return cases;
}

function sharedFile(rel: string): string {
  const found = [path.resolve(packageRoot(), '..', 'shared', rel), path.join('/work/shared', rel)].find((p) => existsSync(p));
  if (!found) throw new Error(`../shared/${rel} not found beside the project`);
  return found;
}

/** ETTh1 prepared exactly as bare_loop.py prepares it: every row, z-score on the 12 train months. */
function prepareEtth1(dir: string, csv: string): DataRef {
  const rows = readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').slice(1).map(Number));
  const n = rows.length;
  const C = rows[0]!.length;
  const trainEnd = 12 * M;
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
    end: '2018-06-26T19:00:00Z',
    splits: { train: [0, trainEnd], val: [trainEnd, 16 * M], test: [16 * M, 20 * M] },
    scaler: { mean, std },
    hasLabels: false,
  };
  return { valuesPath, meta, name: 'ETTh1' };
}

/** A busy loop on one core, bounded by `timeout` even if this process dies. */
function startLoad(maxS: number): ChildProcess {
  const child = spawn('timeout', [String(maxS), process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

async function stopLoad(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await gone;
}

interface Measured {
  sPerEpoch: number;
  samplesPerS: number;
}

async function bare(csv: string, c: Case, batch: number, epochs: number, threads: number): Promise<Measured> {
  const modelFile = path.join(packageRoot(), 'engine', 'models', 'zoo', `${c.model}.py`);
  const args = [sharedFile('tools/bare_loop.py'), csv, modelFile, `L=${c.lookback}`, `H=${H}`, `batch=${batch}`, `epochs=${epochs}`, `threads=${threads}`, ...Object.entries(c.hyper).map(([k, v]) => `${k}=${v}`)];
  const t = String(threads);
  const { stdout } = await execFileAsync(PYTHON, args, { env: { PATH: '/usr/bin:/bin', OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t }, maxBuffer: 1 << 20, timeout: 3_600_000 });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { s_per_epoch: number; train_samples_per_s: number };
  return { sPerEpoch: out.s_per_epoch, samplesPerS: out.train_samples_per_s };
}

async function runner(client: RunnerClient, data: DataRef, dir: string, c: Case, batch: number, epochs: number, threads: number): Promise<Measured> {
  const code = readFileSync(path.join(packageRoot(), 'engine', 'models', 'zoo', `${c.model}.py`), 'utf8');
  const events: RunnerEvent[] = [];
  await client.train(
    {
      code,
      dims: { task: 'forecasting', lookback: c.lookback, horizon: H, nFeatures: data.meta.columns.length },
      hyper: c.hyper,
      revin: false,
      data,
      workDir: mkdtempSync(path.join(dir, 'work-')),
      train: { epochs, patience: 1000, batchSize: batch, lr: 1e-3, weightDecay: 1e-4, loss: 'mae' },
    },
    { threads, device: 'cpu', onEvent: (e) => events.push(e) },
  );
  const ep = events.filter((e) => e.event === 'epoch');
  const info = events.find((e) => e.event === 'info');
  const last = ep[ep.length - 1];
  const windows = (info?.data as { trainWindows?: number } | undefined)?.trainWindows;
  if (!last || last.event !== 'epoch' || !windows) throw new Error('runner sent no epoch events');
  // `elapsed` runs from just before the first epoch: train + validation of every epoch.
  const sPerEpoch = last.elapsed / ep.length;
  return { sPerEpoch, samplesPerS: windows / sPerEpoch };
}

const envNum = (name: string, dflt: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : Number(v);
};

async function loadText(): Promise<string> {
  const l = os.loadavg();
  return `load ${l[0]!.toFixed(1)}/${l[1]!.toFixed(1)}`;
}

async function throughput(dir: string, client: RunnerClient): Promise<BenchResult[]> {
  const csv = sharedFile('datasets/ETTh1.csv');
  const data = prepareEtth1(dir, csv);
  const cases = parseMatrix(process.env.GENAUTOML_BENCH_RUNNER_MATRIX ?? 'quick');
  const epochs = envNum('GENAUTOML_BENCH_RUNNER_EPOCHS', 2);
  const batch = envNum('GENAUTOML_BENCH_RUNNER_BATCH', 128);
  const threads = envNum('GENAUTOML_BENCH_RUNNER_THREADS', 1);
  const conditions = (process.env.GENAUTOML_BENCH_RUNNER_LOAD ?? 'quiet,loaded').split(',').map((s) => s.trim()).filter(Boolean);
  const results: BenchResult[] = [];
  for (const condition of conditions) {
    for (const c of cases) {
      const label = `${c.model}${Object.keys(c.hyper).length ? `{${Object.entries(c.hyper).map(([k, v]) => `${k}=${v}`).join(',')}}` : ''}/L${c.lookback}`;
      const load = condition === 'loaded' ? startLoad(3600) : null;
      let b: Measured;
      let r: Measured;
      const before = await loadText();
      try {
        // Order alternates between cases so a drift in the machine's load does not favour one side.
        if (results.length % 2 === 0) {
          b = await bare(csv, c, batch, epochs, threads);
          r = await runner(client, data, dir, c, batch, epochs, threads);
        } else {
          r = await runner(client, data, dir, c, batch, epochs, threads);
          b = await bare(csv, c, batch, epochs, threads);
        }
      } finally {
        if (load) await stopLoad(load);
      }
      const ratio = r.samplesPerS / b.samplesPerS;
      results.push({
        name: `runner/vs-bare/${condition}/${label}`,
        metrics: { runner_samples_per_s: r.samplesPerS, bare_samples_per_s: b.samplesPerS, runner_s_per_epoch: r.sPerEpoch, bare_s_per_epoch: b.sPerEpoch, ratio },
        target: 'ratio >= 0.95',
        pass: ratio >= 0.95,
        notes: `ETTh1 H=${H}, batch ${batch}, ${epochs} epoch(s), ${threads} thread(s), runner sandboxed; ${condition === 'loaded' ? 'one core busy with a bench busy loop; ' : ''}host shared with other engineers' work (${before} at start)`,
      });
      console.error(`bench runner: ${results[results.length - 1]!.name} ratio ${ratio.toFixed(3)} (${before})`);
    }
  }
  return results;
}

async function threadsUnderLoad(dir: string, client: RunnerClient): Promise<BenchResult[]> {
  const spec = process.env.GENAUTOML_BENCH_RUNNER_THREADS_CASE ?? 'sparsetsf{hidden=64}@336';
  if (spec === 'none') return [];
  const c = parseMatrix(spec)[0]!;
  const csv = sharedFile('datasets/ETTh1.csv');
  const data = prepareEtth1(dir, csv);
  const epochs = envNum('GENAUTOML_BENCH_RUNNER_EPOCHS', 2);
  const results: BenchResult[] = [];
  for (const condition of ['quiet', 'loaded']) {
    const load = condition === 'loaded' ? startLoad(3600) : null;
    const before = await loadText();
    let one: Measured;
    let two: Measured;
    try {
      one = await runner(client, data, dir, c, 128, epochs, 1);
      two = await runner(client, data, dir, c, 128, epochs, 2);
    } finally {
      if (load) await stopLoad(load);
    }
    results.push({
      name: `runner/threads/${condition}/${c.model}/L${c.lookback}`,
      metrics: { s_per_epoch_1_thread: one.sPerEpoch, s_per_epoch_2_threads: two.sPerEpoch, speedup_2_over_1: one.sPerEpoch / two.sPerEpoch },
      notes: `runner only, batch 128; ${condition === 'loaded' ? 'one core busy with a bench busy loop; ' : ''}host shared with other work (${before})`,
    });
  }
  return results;
}

const VALIDATE_MODEL = `import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, hidden=256):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(seq_len, hidden), nn.GELU(), nn.Linear(hidden, pred_len))

    def forward(self, x):
        return self.net(x.transpose(1, 2)).transpose(1, 2)
`;

async function validateLatency(): Promise<BenchResult[]> {
  const dims = { task: 'forecasting' as const, lookback: 96, horizon: H, nFeatures: 7 };
  const cold = new RunnerClient({ ...loadConfig({}), threads: 1, validatePoolSize: 0, device: 'cpu' });
  const warm = new RunnerClient({ ...loadConfig({}), threads: 1, validatePoolSize: 1, device: 'cpu' });
  try {
    await cold.validate(VALIDATE_MODEL, dims); // sets up the client (interpreter layout, bwrap check)
    const coldTimes: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      const r = await cold.validate(VALIDATE_MODEL, dims);
      if (!r.ok) throw new Error(r.message);
      coldTimes.push(performance.now() - t);
    }
    await warm.warmUp();
    const warmTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      await warm.warmUp(); // a pooled process with torch imported is waiting
      const t = performance.now();
      const r = await warm.validate(VALIDATE_MODEL, dims);
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
  const client = new RunnerClient({ ...loadConfig({}), threads: 1, validatePoolSize: 0, device: 'cpu' });
  try {
    return [...(await throughput(dir, client)), ...(await threadsUnderLoad(dir, client)), ...(await validateLatency())];
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
