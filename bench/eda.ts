/**
 * EDA on ETTh1 including the four plots (target: under 2 s wall). ETTh1 is parsed by a tiny local
 * reader (`date,HUFL,...,OT`, hourly) so this bench does not depend on the ingestion code; the
 * PreparedDataset uses the ETT 12/4/4-month split (8640/2880/2880 rows) and a train-only scaler.
 * CPU time is reported beside wall time because a shared machine inflates wall time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedDataset } from '../engine/data/prepared.js';
import { runEda } from '../engine/eda/index.js';
import { renderEdaPlots } from '../engine/plots/index.js';
import type { BenchResult } from './types.js';

function findEtth1(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From bench/ (vitest, tsx) or dist/bench/ (npm run bench): the repository's sibling shared/.
  const candidates = [path.resolve(here, '../../shared/datasets/ETTh1.csv'), path.resolve(here, '../../../shared/datasets/ETTh1.csv'), path.resolve(process.cwd(), '../shared/datasets/ETTh1.csv')];
  return candidates.find((p) => fs.existsSync(p));
}

function loadEtth1(file: string): PreparedDataset {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const columns = lines[0]!.split(',').slice(1);
  const C = columns.length;
  const rows = lines.length - 1;
  const times = new Float64Array(rows);
  const raw = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    times[r] = Date.parse(cells[0]!.replace(' ', 'T') + 'Z');
    for (let c = 0; c < C; c++) raw[r * C + c] = Number(cells[c + 1]);
  }
  const train = 8640;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let r = 0; r < train; r++) m += raw[r * C + c]!;
    m /= train;
    let s = 0;
    for (let r = 0; r < train; r++) s += (raw[r * C + c]! - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(s / train) || 1);
  }
  const values = new Float32Array(rows * C);
  for (let i = 0; i < rows * C; i++) values[i] = (raw[i]! - mean[i % C]!) / std[i % C]!;
  return {
    meta: {
      formatVersion: 1,
      rows,
      columns,
      target: columns[C - 1]!,
      frequencyMs: 3_600_000,
      start: new Date(times[0]!).toISOString(),
      end: new Date(times[rows - 1]!).toISOString(),
      splits: { train: [0, train], val: [train, train + 2880], test: [train + 2880, Math.min(rows, train + 5760)] },
      scaler: { mean, std },
      hasLabels: false,
    },
    values,
    times,
  };
}

async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}

export default async function bench(): Promise<BenchResult[]> {
  const file = findEtth1();
  if (!file) return [{ name: 'eda/etth1', metrics: {}, notes: 'ETTh1.csv not found under ../shared/datasets; skipped' }];
  const dataset = loadEtth1(file);
  // One warm-up run: the first call pays for JIT compilation and vega's module initialisation,
  // which a long-running server pays once.
  const warm = await measure(async () => renderEdaPlots(dataset, runEda(dataset)));
  const eda = await measure(() => runEda(dataset));
  const plots = await measure(() => renderEdaPlots(dataset, eda.value));
  const total = eda.wall + plots.wall;
  return [
    {
      name: 'eda/etth1',
      metrics: {
        wall_s: Number(total.toFixed(3)),
        stats_wall_s: Number(eda.wall.toFixed(3)),
        plots_wall_s: Number(plots.wall.toFixed(3)),
        cpu_s: Number((eda.cpu + plots.cpu).toFixed(3)),
        cold_wall_s: Number(warm.wall.toFixed(3)),
        plots: plots.value.length,
        png_kb: Math.round(plots.value.reduce((s, p) => s + p.png.length + p.thumbnail.length, 0) / 1024),
      },
      target: 'wall_s < 2',
      pass: total < 2,
      notes: `${dataset.meta.rows} x ${dataset.meta.columns.length}; ADF/KPSS on the last 10,000 points; warm run (cold first run ${warm.wall.toFixed(2)} s)`,
    },
  ];
}
