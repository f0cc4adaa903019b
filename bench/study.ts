/** What the search benchmarks share: an app on a fresh home with ETTh1 loaded, and a study run to its end. */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../engine/app.js';
import { loadConfig } from '../engine/config.js';
import { prepareFromSource } from '../engine/data/index.js';
import { saveDataset } from '../engine/datasets/store.js';
import { createLogger } from '../engine/log.js';
import { startStudy } from '../engine/search/service.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { registerSearchWorkers } from '../engine/search/worker.js';
import { createApp } from '../server/app.js';

/** ETTh1.csv beside the project (../shared/datasets). */
function etth1Csv(): string {
  const csv = ['../shared/datasets/ETTh1.csv', '/work/shared/datasets/ETTh1.csv'].map((p) => path.resolve(p)).find((p) => fs.existsSync(p));
  if (!csv) throw new Error('ETTh1.csv not found beside the project (../shared/datasets)');
  return csv;
}

/** Loads ETTh1 (ett split: 12/4/4 months) into `app`'s store; its dataset id. */
export async function saveEtth1(app: App): Promise<string> {
  const csv = etth1Csv();
  const prepared = await prepareFromSource({ kind: 'path', path: csv }, { split: 'ett' }, { allowedDirs: [path.dirname(csv)], maxBytes: 1e9, urlTimeoutMs: 1000 });
  return (await saveDataset(app, prepared, { kind: 'path', path: csv })).id;
}

/** A fresh embedded app with ETTh1 (ett split) loaded and `concurrency` trial slots working. */
export async function withEtth1App<T>(concurrency: number, fn: (app: App, dataset: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bench-'));
  const config = loadConfig({ GENAUTOML_HOME: home, GENAUTOML_WORKER_CONCURRENCY: String(concurrency), GENAUTOML_LOG_LEVEL: 'warn' });
  const app = await createApp(config, createLogger({ level: 'warn' }));
  try {
    const dataset = await saveEtth1(app);
    await registerSearchWorkers(app, { concurrency, pollingIntervalSeconds: 0.5 });
    return await fn(app, dataset);
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** Starts a study and waits for its end; wall time from start to a final state. */
export async function runStudy(app: App, request: SearchRequest): Promise<{ wallS: number; studyId: string }> {
  const t0 = performance.now();
  const study = await startStudy(app, request, { origin: 'bench' });
  for (;;) {
    const s = await app.studies.get(study.id);
    if (s.state === 'done' || s.state === 'failed' || s.state === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { wallS: (performance.now() - t0) / 1000, studyId: study.id };
}
