/**
 * `bench anomaly`: a short anomaly search and the four simple baselines, side by side on the same
 * rows, with the honest metrics (VUS-PR, PR-AUC, point-wise F1 at a validation-only threshold,
 * event recall) and their no-skill values:
 *  - the labelled synthetic suite (engine/anomaly/suite.ts: level shifts, drifts, spikes, stuck
 *    sensors, one series each plus a mixed one; labels as a 0/1 column);
 *  - ETTh1 (ett split) with faults injected by the host into its test rows.
 * One row per dataset and detector, and per dataset whether the best model beats the best baseline.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { loadConfig } from '../engine/config.js';
import { prepareFromSource } from '../engine/data/index.js';
import { saveDataset } from '../engine/datasets/store.js';
import { createLogger } from '../engine/log.js';
import { anomalySuite, type LabelledSeries } from '../engine/anomaly/suite.js';
import { doneResultOf, type LeaderboardRow } from '../engine/search/result.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { registerSearchWorkers } from '../engine/search/worker.js';
import { createApp } from '../server/app.js';
import { runStudy } from './study.js';
import type { BenchResult } from './types.js';

// A short search: two linear forecasters and a recurrent one, all evaluated on the test rows.
const SEARCH: Omit<SearchRequest, 'dataset'> = {
  task: 'anomaly',
  candidates: ['dlinear', 'nlinear', 'lstm'],
  maxTrials: 3,
  epochs: 4,
  patience: 2,
  parallelism: 1,
  sampler: 'random',
  pruner: 'none',
  seed: 1,
  topK: 3,
  maxTrainWindows: 2048,
};

async function withCsvApp<T>(csv: string, split: 'ett' | { train: number; val: number; test: number }, fn: (app: App, dataset: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bench-anomaly-'));
  const config = loadConfig({ GENAUTOML_HOME: home, GENAUTOML_WORKER_CONCURRENCY: '1', GENAUTOML_LOG_LEVEL: 'warn' });
  const app = await createApp(config, createLogger({ level: 'warn' }));
  try {
    const prepared = await prepareFromSource({ kind: 'path', path: csv }, { split }, { allowedDirs: [path.dirname(csv)], maxBytes: 1e9, urlTimeoutMs: 1000 });
    const dataset = (await saveDataset(app, prepared, { kind: 'path', path: csv })).id;
    await registerSearchWorkers(app, { concurrency: 1, pollingIntervalSeconds: 0.5 });
    return await fn(app, dataset);
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
}

function writeCsv(dir: string, ls: LabelledSeries): string {
  const file = path.join(dir, `${ls.name}.csv`);
  const head = ['timestamp', ...Array.from({ length: ls.channels }, (_, c) => `x${c}`), 'label'].join(',');
  const lines = [head];
  const t0 = Date.UTC(2020, 0, 1);
  for (let t = 0; t < ls.rows; t++) {
    const vals = Array.from({ length: ls.channels }, (_, c) => ls.values[t * ls.channels + c]!.toFixed(5));
    lines.push([new Date(t0 + t * 3_600_000).toISOString(), ...vals, String(ls.labels[t])].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function rowsOf(dataset: string, board: LeaderboardRow[]): BenchResult[] {
  const out: BenchResult[] = [];
  const scored = board.filter((r) => r.test?.task === 'anomaly' && r.test.scores);
  for (const r of scored) {
    if (r.test?.task !== 'anomaly' || !r.test.scores) continue;
    const s = r.test.scores;
    out.push({
      name: `anomaly/${dataset}/${r.simpleBaseline ? 'baseline-' : 'model-'}${r.arch}`,
      metrics: {
        vus_pr: s.vusPr ?? NaN,
        pr_auc: s.prAuc ?? NaN,
        roc_auc: s.rocAuc ?? NaN,
        f1_val_threshold: s.f1 ?? NaN,
        event_recall: s.eventRecall ?? NaN,
        no_skill_vus_pr: s.noSkill.vusPr ?? NaN,
        no_skill_pr_auc: s.noSkill.prAuc ?? NaN,
        no_skill_f1: s.noSkill.f1 ?? NaN,
        ratio: r.test.ratio ?? NaN,
        ...(r.test.scoresOriginal ? { vus_pr_original_units: r.test.scoresOriginal.vusPr ?? NaN } : {}),
      },
      notes: `${r.test.labels} labels, ${s.events} events in ${s.rows} test rows; threshold ${s.threshold.rule}`,
    });
  }
  const best = (xs: LeaderboardRow[]): { arch: string; v: number } | null =>
    xs.reduce<{ arch: string; v: number } | null>((b, r) => {
      const v = r.test?.task === 'anomaly' ? (r.test.scores?.vusPr ?? NaN) : NaN;
      return Number.isFinite(v) && (!b || v > b.v) ? { arch: r.arch, v } : b;
    }, null);
  const model = best(scored.filter((r) => !r.simpleBaseline));
  const baseline = best(scored.filter((r) => r.simpleBaseline));
  if (model && baseline) {
    out.push({
      name: `anomaly/${dataset}/search-vs-baselines`,
      metrics: { best_model_vus_pr: model.v, best_baseline_vus_pr: baseline.v, margin: model.v - baseline.v },
      target: 'best model VUS-PR > best baseline VUS-PR',
      pass: model.v > baseline.v,
      notes: `best model ${model.arch}, best baseline ${baseline.arch}`,
    });
  }
  return out;
}

async function searchAndScore(csv: string, split: 'ett' | { train: number; val: number; test: number }, name: string): Promise<BenchResult[]> {
  return withCsvApp(csv, split, async (app, dataset) => {
    const { wallS, studyId } = await runStudy(app, { ...SEARCH, dataset });
    const study = await app.studies.get(studyId);
    if (study.state !== 'done') return [{ name: `anomaly/${name}/error`, metrics: { wall_s: wallS }, pass: false, notes: `study ${study.state}` }];
    const result = doneResultOf(study);
    return [...rowsOf(name, result.leaderboard), { name: `anomaly/${name}/search`, metrics: { wall_s: wallS, models: result.leaderboard.filter((r) => !r.simpleBaseline).length } }];
  });
}

export default async function (): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'genautoml-anomaly-suite-'));
  try {
    for (const ls of anomalySuite(0)) {
      console.error(`bench anomaly: ${ls.name}…`);
      results.push(...(await searchAndScore(writeCsv(dir, ls), { train: 0.7, val: 0.1, test: 0.2 }, `suite-${ls.name}`)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const etth1 = ['../shared/datasets/ETTh1.csv', '/work/shared/datasets/ETTh1.csv'].map((p) => path.resolve(p)).find((p) => fs.existsSync(p));
  if (!etth1) results.push({ name: 'anomaly/etth1-injected/error', metrics: {}, pass: false, notes: 'ETTh1.csv not found beside the project (../shared/datasets)' });
  else {
    console.error('bench anomaly: ETTh1 with injected faults…');
    results.push(...(await searchAndScore(etth1, 'ett', 'etth1-injected')));
  }
  return results;
}
