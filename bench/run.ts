/**
 * `npm run bench [area...]`: runs the benchmark modules side by side in one process and writes
 * bench/results/<time>.json plus bench/results/latest.md (a markdown table). Targets are checked
 * here, by measurement, never by timed assertions in tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../engine/paths.js';
import type { BenchModule, BenchResult } from './types.js';

const MODULES: Record<string, () => Promise<{ default: BenchModule }>> = {
  ingest: () => import('./ingest.js'),
  eda: () => import('./eda.js'),
  runner: () => import('./runner.js'),
  zoo: () => import('./zoo.js'),
  mcp: () => import('./mcp.js'),
  search: () => import('./search.js'),
  'search-long': () => import('./search-long.js'),
  'search-vs-optuna': () => import('./search-vs-optuna.js'),
  'search-architect': () => import('./search-architect.js'),
  anomaly: () => import('./anomaly.js'),
  recovery: () => import('./recovery.js'),
};

// Long areas run only when named.
const ON_REQUEST = ['search', 'search-long', 'search-vs-optuna', 'search-architect', 'zoo', 'anomaly', 'recovery'];
// Cases whose method was wrong and that a newer case replaces: kept in the stored JSON, left out
// of latest.md. runner/train_throughput compared against an unfair hand loop (runner/vs-bare/*).
const RETIRED = new Set(['runner/train_throughput']);

function table(results: BenchResult[], measuredAt?: string[]): string {
  const lines = measuredAt ? ['| case | metrics | target | pass | measured (UTC) |', '| --- | --- | --- | --- | --- |'] : ['| case | metrics | target | pass |', '| --- | --- | --- | --- |'];
  for (const [i, r] of results.entries()) {
    const metrics = Object.entries(r.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
      .join(', ');
    const at = measuredAt ? ` ${measuredAt[i] ?? ''} |` : '';
    lines.push(`| ${r.name} | ${metrics} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'no'} |${at}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  // Child processes the runner waits on may be unref'd; keep the loop alive until the table is out.
  const keepAlive = setInterval(() => {}, 60_000);
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  // --report: run nothing, only rebuild latest.md from the stored results.
  const reportOnly = process.argv.includes('--report');
  const names = reportOnly ? [] : wanted.length > 0 ? wanted : Object.keys(MODULES).filter((n) => !ON_REQUEST.includes(n));
  const results: BenchResult[] = [];
  for (const name of names) {
    const load = MODULES[name];
    if (!load) throw new Error(`unknown bench area ${name}; areas: ${Object.keys(MODULES).join(', ')}`);
    console.error(`bench: ${name}…`);
    try {
      results.push(...(await (await load()).default()));
    } catch (err) {
      results.push({ name: `${name}/error`, metrics: {}, pass: false, notes: (err as Error).message });
    }
  }
  const dir = path.join(packageRoot(), 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const doc = { at: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, results };
  if (!reportOnly) fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(doc, null, 2));
  // latest.md: the newest measurement of every case across all runs, so running one area does
  // not hide the others' results.
  const newest = new Map<string, { at: string; result: BenchResult }>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const run = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { at: string; results: BenchResult[] };
    for (const result of run.results) if (!RETIRED.has(result.name)) newest.set(result.name, { at: run.at, result });
  }
  const all = [...newest.values()];
  const md = [
    '# Benchmarks: the newest result of every case',
    '',
    table(all.map((e) => e.result), all.map((e) => e.at.slice(0, 16).replace('T', ' '))),
    '',
    ...all.filter((e) => e.result.notes).map((e) => `- ${e.result.name}: ${e.result.notes}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'latest.md'), md);
  console.log(`# This run (${doc.at})\n\n${table(results)}\n`);
  clearInterval(keepAlive);
}

void main();
