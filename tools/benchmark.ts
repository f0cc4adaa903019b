/** benchmark: the leaderboard of a study, or chosen models trained side by side, with charts. */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import { renderTextTable } from '../engine/notify/message.js';
import { benchmarkModels, benchmarkStudy, type BenchmarkTable } from '../engine/search/benchmark.js';
import { benchmarkPlots } from '../engine/search/charts.js';
import { defineTool } from './define.js';

const n = z.number().nullable();
const row = z.object({
  rank: z.number().int(),
  model: z.string(),
  trial: z.number().int(),
  valLoss: n,
  testMse: n,
  testMae: n,
  maeOriginal: n,
  rmseOriginal: n,
  rocAuc: n,
  prAuc: n,
  bestF1: n,
  anomalyRatio: n,
  params: n,
  latencyMsBatch1: n,
  latencyMsBatched: n,
  trainTimeS: n,
  error: z.string().nullable(),
});

const fin = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export function benchmarkRows(table: BenchmarkTable): z.infer<typeof row>[] {
  return table.rows.map((r) => ({
    rank: r.rank,
    model: r.arch,
    trial: r.trial,
    valLoss: fin(r.valLoss),
    testMse: r.test?.task === 'forecasting' ? fin(r.test.mse) : null,
    testMae: r.test?.task === 'forecasting' ? fin(r.test.mae) : null,
    maeOriginal: r.test?.task === 'forecasting' ? fin(r.test.maeOriginal) : null,
    rmseOriginal: r.test?.task === 'forecasting' ? fin(r.test.rmseOriginal) : null,
    rocAuc: r.test?.task === 'anomaly' ? fin(r.test.rocAuc) : null,
    prAuc: r.test?.task === 'anomaly' ? fin(r.test.prAuc) : null,
    bestF1: r.test?.task === 'anomaly' ? fin(r.test.bestF1) : null,
    anomalyRatio: r.test?.task === 'anomaly' ? fin(r.test.ratio) : null,
    params: r.modelParams,
    latencyMsBatch1: fin(r.latency?.batch1MsPerSample),
    latencyMsBatched: fin(r.latency?.batchedMsPerSample),
    trainTimeS: fin(r.trainTimeS),
    error: r.error,
  }));
}

const f = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));

export const benchmark = defineTool({
  name: 'benchmark',
  title: 'Benchmark models',
  description:
    'Leaderboard on the test split: of a finished study (its best trial per architecture), or of chosen registered models ' +
    'trained side by side under one protocol on a dataset. Ranked by validation loss; reports scaled MSE/MAE, original-unit ' +
    'MAE/RMSE (forecasting) or ROC-AUC, PR-AUC, F1 and the clean/anomalous error ratio (anomaly detection), parameters, ' +
    'latency and training time, with charts: error vs latency with the Pareto front, forecast vs truth, error by horizon step.',
  input: z.object({
    study: z.string().min(1).optional().describe('A finished study id.'),
    dataset: z.string().min(1).optional().describe('Dataset id, to benchmark chosen models.'),
    models: z.array(z.string().min(1)).min(1).max(30).optional().describe('Model names to train and compare on the dataset.'),
    task: z.enum(['forecasting', 'anomaly']).default('forecasting'),
    lookback: z.number().int().min(4).max(10_000).optional(),
    horizon: z.number().int().min(1).max(10_000).optional(),
    epochs: z.number().int().min(1).max(1000).default(10),
    seed: z.number().int().min(0).default(0),
    revin: z.boolean().default(false).describe('Wrap every model in Dyn-RevIN.'),
    feature: z.string().min(1).optional().describe('Column for the forecast-vs-truth chart (default the target).'),
  }),
  output: z.object({ title: z.string(), task: z.string(), source: z.string(), rows: z.array(row), charts: z.array(z.string()) }),
  // Not read-only: it may train models and it stores its charts as artefacts.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  long: true,
  cli: { positional: ['study'] },
  async handler(args, ctx) {
    let table: BenchmarkTable;
    // A wrong feature is refused before any model is trained.
    if (args.feature && args.dataset && !args.study) {
      const columns = (await ctx.app.datasets.get(args.dataset)).meta.columns;
      if (!columns.includes(args.feature)) throw new GenAutoMLError('benchmark.unknown_feature', `There is no column ${args.feature}.`, { hint: `Columns: ${columns.join(', ')}.` });
    }
    if (args.study) {
      table = await benchmarkStudy(ctx.app, args.study);
    } else if (args.dataset && args.models) {
      table = await benchmarkModels(
        ctx.app,
        { dataset: args.dataset, models: args.models, task: args.task, epochs: args.epochs, seed: args.seed, revin: args.revin, ...(args.lookback ? { lookback: args.lookback } : {}), ...(args.horizon ? { horizon: args.horizon } : {}) },
        { signal: ctx.signal, onProgress: (done, total, message) => ctx.progress({ done, total, message }) },
      );
    } else {
      throw new GenAutoMLError('benchmark.bad_arguments', 'Give a finished study, or a dataset and the models to compare.', {
        hint: 'benchmark study=st_… — or — benchmark dataset=ds_… models=[dlinear, patchtst]',
      });
    }
    const rows = benchmarkRows(table);
    const plots = await benchmarkPlots(table.rows, { title: table.title, task: table.task, columns: table.columns, ...(args.feature ? { feature: args.feature } : {}) });
    const stored = [];
    for (const p of plots) {
      const sha = await ctx.app.artifacts.put(p.png, 'image/png');
      stored.push({ plot: p, uri: `genautoml://artifacts/${sha}` });
    }
    const forecasting = table.task === 'forecasting';
    const text = renderTextTable({
      columns: forecasting
        ? ['#', 'model', 'val loss', 'test MSE', 'test MAE', 'MAE (orig)', 'RMSE (orig)', 'params', 'ms/sample', 'train s']
        : ['#', 'model', 'val loss', 'ROC-AUC', 'PR-AUC', 'F1', 'ratio', 'params', 'ms/sample', 'train s'],
      rows: rows.map((r) =>
        forecasting
          ? [String(r.rank), r.model, f(r.valLoss), f(r.testMse), f(r.testMae), f(r.maeOriginal, 3), f(r.rmseOriginal, 3), r.params === null ? '—' : String(r.params), f(r.latencyMsBatch1, 3), f(r.trainTimeS, 1)]
          : [String(r.rank), r.model, f(r.valLoss), f(r.rocAuc, 3), f(r.prAuc, 3), f(r.bestF1, 3), f(r.anomalyRatio, 2), r.params === null ? '—' : String(r.params), f(r.latencyMsBatch1, 3), f(r.trainTimeS, 1)],
      ),
    });
    const failures = rows.filter((r) => r.error).map((r) => `${r.model}: ${r.error}`);
    if (table.source.kind === 'study' && rows.some((r) => r.testMse === null && r.rocAuc === null && !r.error)) {
      failures.push('Rows without test metrics ranked below the study’s topK; only the top architectures are evaluated on the test split.');
    }
    return {
      data: {
        title: table.title,
        task: table.task,
        source: table.source.kind === 'study' ? `study ${table.source.id}` : `models on ${table.source.dataset}`,
        rows,
        charts: stored.map((s) => s.uri),
      },
      summary: [`${table.title} — ${table.task}, ranked by validation loss; test metrics reported once.`, '', text, ...(failures.length ? ['', ...failures] : [])].join('\n'),
      images: stored.map((s) => ({ name: `${s.plot.name}.png`, title: s.plot.title, png: s.plot.png, thumbnail: s.plot.thumbnail, uri: s.uri })),
    };
  },
});
