/**
 * Ingest benchmarks: ETTh1 load + prepare (target < 0.5 s) and a generated 1,000,000-row × 8 CSV
 * (target ≥ 500k rows/s). The big file is written to the OS temp directory and removed after.
 * Peak memory is the process's max RSS (resourceUsage, in KiB), which includes everything this
 * process did before; the RSS delta across the case is reported too, and CPU seconds, which stay
 * meaningful when the host is shared and wall time is not.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prepareFromSource } from '../engine/data/index.js';
import type { BenchResult } from './types.js';

const ETTH1 = path.resolve(process.cwd(), '../shared/datasets/ETTh1.csv');
const ETTH1_FALLBACK = '/work/shared/datasets/ETTh1.csv';
const BIG_ROWS = 1_000_000;
const BIG_COLS = 8;

async function measure(name: string, dir: string, file: string, split: 'ett' | undefined, target: string, check: (m: Record<string, number>) => boolean): Promise<BenchResult> {
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { dataset, summary } = await prepareFromSource(
    { kind: 'path', path: file },
    split ? { split } : {},
    { allowedDirs: [dir], maxBytes: 2 * 1024 ** 3, urlTimeoutMs: 10_000 },
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const metrics = {
    rows: summary.sourceRows,
    columns: dataset.meta.columns.length,
    wall_s: round(wall),
    rows_per_s: Math.round(summary.sourceRows / wall),
    // CPU time too: on a shared, loaded host wall time mostly measures the neighbours.
    cpu_s: round((cpu.user + cpu.system) / 1e6),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    rss_delta_mb: round((process.memoryUsage().rss - rssBefore) / 1024 ** 2),
  };
  return { name, metrics, target, pass: check(metrics), notes: `${summary.frequency.text}, ${summary.warnings.length} warning(s)` };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function writeBigCsv(file: string): Promise<void> {
  // Deterministic pseudo-random walk so runs are comparable; written in blocks to bound memory.
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const level = new Float64Array(BIG_COLS);
  const start = Date.UTC(2020, 0, 1);
  const handle = await open(file, 'w');
  try {
    await handle.write(['timestamp', ...Array.from({ length: BIG_COLS }, (_, c) => `s${c + 1}`)].join(',') + '\n');
    // Blocks of 50k rows keep the generator's memory small, so peak RSS reflects the ingest.
    for (let b = 0; b < BIG_ROWS; b += 50_000) {
      let block = '';
      for (let r = b; r < Math.min(BIG_ROWS, b + 50_000); r++) {
        block += new Date(start + r * 60_000).toISOString().slice(0, 19).replace('T', ' ');
        for (let c = 0; c < BIG_COLS; c++) {
          level[c] = (level[c] as number) + rand();
          block += ',' + (level[c] as number).toFixed(4);
        }
        block += '\n';
      }
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
}

export default async function (): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const ettPath = existsSync(ETTH1) ? ETTH1 : ETTH1_FALLBACK;
  // One warm-up run so the number reflects steady-state code, not the JIT's first look.
  await measure('ingest/etth1-warmup', path.dirname(ettPath), path.basename(ettPath), 'ett', '', () => true);
  results.push(await measure('ingest/etth1', path.dirname(ettPath), path.basename(ettPath), 'ett', 'wall_s < 0.5', (m) => (m.wall_s ?? Infinity) < 0.5));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bench-'));
  try {
    const file = path.join(dir, 'big.csv');
    await writeBigCsv(file);
    results.push(await measure('ingest/csv-1m-x8', dir, 'big.csv', undefined, 'rows_per_s >= 500000', (m) => (m.rows_per_s ?? 0) >= 500_000));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
