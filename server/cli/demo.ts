/**
 * `genautoml demo`: the whole pipeline end to end on the embedded defaults (PGlite, no API keys):
 * a dataset (generated, or a file given with --data), EDA with plots, a model from the neural
 * architect, its validation, a small search over baselines and the generated model with two
 * in-process worker slots, and the benchmark. Every step goes through the same tools as the MCP
 * server and the bots.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../engine/app.js';
import { syntheticCsv } from '../../engine/data/synthetic.js';
import type { Logger } from '../../engine/log.js';
import { studySpecSchema } from '../../engine/search/spec.js';
import { getTool } from '../../tools/index.js';
import { invokeTool } from '../../tools/invoke.js';
import { startWorker } from '../worker.js';
import { writeResultFiles } from './output.js';
import { createProgressBar } from './progress.js';
import { loadRuntime, openApp } from './runtime.js';

export interface DemoOptions {
  data?: string;
  trials: number;
  /** Maximum epochs per trial. */
  epochs: number;
  /** Rows of the generated dataset. */
  rows: number;
  out?: string;
  request: string;
}

/**
 * Two fast baselines: with the generated model they are the study's candidates, each covered by a
 * first trial, and one architect round adds a model to the live study; sized (windows per epoch,
 * a per-trial cap) so the whole demo stays near two minutes on two CPU cores.
 */
const DEMO_BASELINES = ['dlinear', 'nlinear'];

export async function runDemo(options: DemoOptions): Promise<number> {
  const rt = loadRuntime({ interactive: true });
  const app = await openApp(rt);
  const outDir = path.resolve(options.out ?? path.join(rt.config.home, 'demo'));
  fs.mkdirSync(outDir, { recursive: true });
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const worker = await startWorker(app, { concurrency: 2 });
  const say = (line = ''): void => void process.stdout.write(line + '\n');
  try {
    const call = (name: string, args: Record<string, unknown>) => step(app, rt.logger, name, args, controller.signal);
    const started = Date.now();

    say('genautoml demo — the whole pipeline on the embedded defaults (PGlite, offline architect, no API keys).');
    const dataPath = options.data ? path.resolve(options.data) : path.join(outDir, 'synthetic.csv');
    if (!options.data) {
      fs.writeFileSync(dataPath, syntheticCsv({ rows: options.rows, features: 4, seed: 7 }));
      say(`\n1/6 load — generated ${dataPath} (hourly, 4 channels, daily and weekly cycles)`);
    } else {
      say(`\n1/6 load — ${dataPath}`);
    }
    const loaded = await call('load_dataset', { path: dataPath, ...(options.data && /etth/i.test(dataPath) ? { split: 'ett' } : {}) });
    say(loaded.summary);
    const dataset = loaded.data.id as string;

    say('\n2/6 eda — statistics, stationarity, seasonality, plots');
    const eda = await call('run_eda', { dataset });
    const edaFiles = writeResultFiles(eda, path.join(outDir, 'eda'));
    say((eda.data.context as string) ?? '');
    say(`plots: ${edaFiles.join(', ')}`);

    say(`\n3/6 generate — "${options.request}"`);
    const gen = await call('generate_pytorch_model', { request: options.request, dataset, lookback: 96, horizon: 24 });
    say(gen.summary);
    const model = (gen.data.model as { name: string } | null)?.name;
    if (!model) throw new Error('the architect produced no valid model; see the log above');
    writeResultFiles(gen, path.join(outDir, 'generated'));

    say(`\n4/6 validate — ${model} in the sandbox`);
    const val = await call('validate', { model, dataset, lookback: 96, horizon: 24 });
    say(val.summary.split('\n')[0] ?? '');

    say(`\n5/6 search — ${options.trials} trials (every candidate first at its defaults, cheap first), random sampler, median pruner, 2 worker slots, one architect round that adds a model to the live study`);
    const srch = await call('search', {
      dataset,
      lookback: 96,
      horizon: 24,
      candidates: [...DEMO_BASELINES, model],
      maxTrials: options.trials,
      epochs: options.epochs,
      patience: 2,
      maxTrainWindows: 512,
      trialMinutes: 0.5,
      parallelism: 2,
      sampler: 'random',
      pruner: 'median',
      seed: 7,
      topK: 3,
      architect: { rounds: 1, modelsPerRound: 1, maxIterations: 2 },
      wait: true,
    });
    say(srch.summary);
    const study = srch.data.studyId as string;
    for (const c of studySpecSchema.parse((await app.studies.get(study)).spec).candidates) {
      if (c.source === 'architect') say(`architect round: ${c.name} joined the running study (${c.lineage?.operation ?? 'proposal'}${c.lineage?.parents.length ? ` of ${c.lineage.parents.join(' + ')}` : ''})`);
    }
    if (srch.data.state !== 'done') throw new Error(`the study ended ${String(srch.data.state)}; search_status ${study} shows why`);

    say('\n6/6 benchmark — leaderboard on the test split (selected by validation)');
    const bench = await call('benchmark', { study });
    const charts = writeResultFiles(bench, path.join(outDir, 'benchmark'));
    say(bench.summary);
    const exported = await call('export_model', { study });
    say(`\n${exported.summary}`);
    say(`charts: ${charts.join(', ')}`);
    say(`\nDone in ${Math.round((Date.now() - started) / 1000)} s. Everything is stored in ${rt.config.home} (database, artefacts, exports).`);
    say(`Next: genautoml status ${study} · genautoml export ${study} --out ./model · genautoml mcp (for a desktop assistant)`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    await worker.stop().catch(() => {});
    await app.close().catch(() => {});
  }
}

async function step(app: App, logger: Logger, name: string, args: Record<string, unknown>, signal: AbortSignal) {
  const bar = createProgressBar();
  try {
    return await invokeTool(getTool(name), args, { app, progress: bar.report, signal, logger: logger.child({ tool: name }), origin: 'cli' });
  } finally {
    bar.stop();
  }
}

