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
  search: () => import('./search.js'),
  'search-long': () => import('./search-long.js'),
};

function table(results: BenchResult[]): string {
  const lines = ['| case | metrics | target | pass |', '| --- | --- | --- | --- |'];
  for (const r of results) {
    const metrics = Object.entries(r.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
      .join(', ');
    lines.push(`| ${r.name} | ${metrics} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  // Child processes the runner waits on may be unref'd; keep the loop alive until the table is out.
  const keepAlive = setInterval(() => {}, 60_000);
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(MODULES).filter((n) => !['search', 'search-long', 'zoo'].includes(n));
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
  fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(doc, null, 2));
  const md = `# Benchmarks (${doc.at})\n\n${table(results)}\n\n${results.filter((r) => r.notes).map((r) => `- ${r.name}: ${r.notes}`).join('\n')}\n`;
  fs.writeFileSync(path.join(dir, 'latest.md'), md);
  console.log(md);
  clearInterval(keepAlive);
}

void main();
