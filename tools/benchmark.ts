/** benchmark: the leaderboard of a study, or chosen models trained side by side, with charts. */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import { renderTextTable } from '../engine/notify/message.js';
import { benchmarkModels, benchmarkStudy, type BenchmarkTable } from '../engine/search/benchmark.js';
import { benchmarkPlots } from '../engine/search/charts.js';
import { describeOrigin } from '../engine/search/board.js';
import { conflictingArguments, defineTool, plotsOption } from './define.js';
import type { StoredDetectorScores } from '../engine/anomaly/schema.js';
import { horizonSchema, lookbackSchema } from '../engine/windows.js';

const n = z.number().nullable();
export const leaderboardRowSchema = z.object({
  rank: z.number().int(),
  model: z.string(),
  /** null for the ensemble row (see members). */
  trial: z.number().int().nullable(),
  /** The ensemble row's members and weights (greedy selection on validation); null for a single model. */
  members: z.array(z.object({ model: z.string(), trial: z.number().int(), weight: z.number() })).nullable(),
  /** Host-scored validation loss of the trainer's batched predictions (prunes, preselects). */
  valLoss: n,
  /** Validation loss from one window at a time in a fresh sandbox: what selects among the top K. */
  causalValLoss: n,
  testMse: n,
  testMae: n,
  maeOriginal: n,
  rmseOriginal: n,
  rocAuc: n,
  prAuc: n,
  /** Oracle F1: threshold picked on the test rows themselves (optimistic, for reference). */
  bestF1: n,
  /** Mean anomalous-row score over mean clean-row score: a ratio, not a verdict. */
  anomalyRatio: n,
  /** VUS-PR (TSB-AD), point-wise F1 at the validation-chosen threshold, share of events flagged. */
  vusPr: n,
  f1: n,
  eventRecall: n,
  /** How the threshold was chosen: val_quantile or val_best_f1 (validation rows only). */
  thresholdRule: z.string().nullable(),
  /** PR-AUC and VUS-PR of the error in original units (models only). */
  prAucOriginal: n,
  vusPrOriginal: n,
  /** What a constant score gets on the same test rows. */
  noSkill: z.object({ prAuc: n, rocAuc: n, vusPr: n, f1: n }).nullable(),
  /** A simple host-side detector listed beside the models, not selected. */
  simpleBaseline: z.boolean(),
  params: n,
  latencyMsBatch1: n,
  latencyMsBatched: n,
  trainTimeS: n,
  error: z.string().nullable(),
  /** null for a baseline or user model; "generated from dlinear (round 1)" for an architect's. */
  origin: z.string().nullable(),
});
const unrankedRow = z.object({ model: z.string(), status: z.enum(['pruned', 'failed', 'not_run']), trials: z.number().int(), valLoss: n, why: z.string().nullable(), origin: z.string().nullable() });

const fin = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** The validation-thresholded anomaly scores of a row (absent for forecasting and older reports). */
function honest(r: BenchmarkTable['rows'][number]): StoredDetectorScores | undefined {
  return r.test?.task === 'anomaly' ? r.test.scores : undefined;
}

export function benchmarkRows(table: BenchmarkTable): z.infer<typeof leaderboardRowSchema>[] {
  return table.rows.map((r) => ({
    rank: r.rank,
    model: r.arch,
    trial: r.trial,
    members: r.ensemble ? r.ensemble.members.map((m) => ({ model: m.arch, trial: m.trial, weight: m.weight })) : null,
    valLoss: fin(r.valLoss),
    causalValLoss: fin(r.causalValLoss),
    testMse: r.test?.task === 'forecasting' ? fin(r.test.mse) : null,
    testMae: r.test?.task === 'forecasting' ? fin(r.test.mae) : null,
    maeOriginal: r.test?.task === 'forecasting' ? fin(r.test.maeOriginal) : null,
    rmseOriginal: r.test?.task === 'forecasting' ? fin(r.test.rmseOriginal) : null,
    rocAuc: r.test?.task === 'anomaly' ? fin(r.test.rocAuc) : null,
    prAuc: r.test?.task === 'anomaly' ? fin(r.test.prAuc) : null,
    bestF1: r.test?.task === 'anomaly' ? fin(r.test.bestF1) : null,
    anomalyRatio: r.test?.task === 'anomaly' ? fin(r.test.ratio) : null,
    vusPr: fin(honest(r)?.vusPr),
    f1: fin(honest(r)?.f1),
    eventRecall: fin(honest(r)?.eventRecall),
    thresholdRule: honest(r)?.threshold.rule ?? null,
    prAucOriginal: r.test?.task === 'anomaly' ? fin(r.test.scoresOriginal?.prAuc) : null,
    vusPrOriginal: r.test?.task === 'anomaly' ? fin(r.test.scoresOriginal?.vusPr) : null,
    noSkill: honest(r)?.noSkill ?? null,
    simpleBaseline: r.simpleBaseline === true,
    params: r.modelParams,
    latencyMsBatch1: fin(r.latency?.batch1MsPerSample),
    latencyMsBatched: fin(r.latency?.batchedMsPerSample),
    trainTimeS: fin(r.trainTimeS),
    error: r.error,
    origin: r.origin ? describeOrigin(r.origin) : null,
  }));
}

export function unrankedRowsOf(table: BenchmarkTable): z.infer<typeof unrankedRow>[] {
  return (table.unranked ?? []).map((u) => ({ model: u.arch, status: u.status, trials: u.trials, valLoss: fin(u.valLoss), why: u.error, origin: describeOrigin(u) }));
}

const f = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));
/** A generated model's name carries a star; its origin is spelled out under the table. */
const marked = (r: { model: string; origin: string | null }): string => (r.origin ? `${r.model}*` : r.model);

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
    lookback: lookbackSchema.optional(),
    horizon: horizonSchema.optional(),
    epochs: z.number().int().min(1).max(1000).default(10),
    seed: z.number().int().min(0).default(0),
    revin: z.boolean().default(false).describe('Wrap every model in Dyn-RevIN.'),
    feature: z.string().min(1).optional().describe('Column for the forecast-vs-truth chart (default the target).'),
    plots: plotsOption,
  }),
  output: z.object({ title: z.string(), task: z.string(), source: z.string(), rows: z.array(leaderboardRowSchema), unranked: z.array(unrankedRow), charts: z.array(z.string()) }),
  // Not read-only: it may train models and it stores its charts as artefacts.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  long: true,
  background: true,
  cli: { positional: ['study'] },
  async handler(args, ctx) {
    let table: BenchmarkTable;
    const withStudy = (['dataset', 'models', 'lookback', 'horizon'] as const).filter((k) => args[k] !== undefined);
    if (args.study && withStudy.length > 0) {
      throw conflictingArguments('benchmark', `${withStudy.join(', ')} given with study; a study's benchmark reports its own models, dataset and windows.`, `Give study alone, or dataset and models without study.`);
    }
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
      throw new GenAutoMLError('tool.invalid_arguments', 'Give a finished study, or a dataset and the models to compare.', {
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
        : ['#', 'model', 'val loss', 'VUS-PR', 'PR-AUC', 'ROC-AUC', 'F1@val', 'event rec.', 'oracle F1', 'ratio', 'params', 'ms/sample', 'train s'],
      rows: rows.map((r) =>
        forecasting
          ? [String(r.rank), marked(r), f(r.valLoss), f(r.testMse), f(r.testMae), f(r.maeOriginal, 3), f(r.rmseOriginal, 3), r.params === null ? '—' : String(r.params), f(r.latencyMsBatch1, 3), f(r.trainTimeS, 1)]
          : [String(r.rank), r.simpleBaseline ? `${r.model} (baseline)` : marked(r), f(r.valLoss), f(r.vusPr, 3), f(r.prAuc, 3), f(r.rocAuc, 3), f(r.f1, 3), f(r.eventRecall, 2), f(r.bestF1, 3), f(r.anomalyRatio, 2), r.params === null ? '—' : String(r.params), f(r.latencyMsBatch1, 3), f(r.trainTimeS, 1)],
      ),
    });
    const unranked = unrankedRowsOf(table);
    const origins = [...rows, ...unranked].filter((r) => r.origin).map((r) => `* ${r.model}: ${r.origin}`);
    const notRanked = unranked.map((u) => `${u.model}${u.origin ? '*' : ''} — ${u.status}${u.valLoss === null ? '' : ` (val ${f(u.valLoss)} when stopped)`}: ${u.why ?? 'no reason recorded'}`);
    const ensembles = rows.flatMap((r) =>
      r.members
        ? [`${r.model}: ${r.members.map((m) => `${m.model} (trial ${m.trial}) × ${m.weight.toFixed(2)}`).join(' + ')}; weights chosen on validation, its val loss cross-fitted (one half fits, the other scores).`]
        : [],
    );
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
        unranked,
        charts: stored.map((s) => s.uri),
      },
      summary: [
        `${table.title} — ${table.task}, ranked by validation loss; test metrics reported once.`,
        '',
        text,
        ...(notRanked.length ? ['', 'Not ranked (no complete trial):', ...notRanked] : []),
        ...(origins.length ? ['', 'Generated models (*):', ...origins] : []),
        ...(ensembles.length ? ['', 'Ensemble:', ...ensembles] : []),
        ...(forecasting ? [] : anomalyNotes(rows)),
        ...(failures.length ? ['', ...failures] : []),
      ].join('\n'),
      images: stored.map((s) => ({ name: `${s.plot.name}.png`, title: s.plot.title, png: s.plot.png, thumbnail: s.plot.thumbnail, uri: s.uri, inline: args.plots === 'inline' })),
    };
  },
});

type Row = z.infer<typeof leaderboardRowSchema>;

/**
 * What an anomaly table needs said under it: the no-skill values on these rows, how the threshold
 * was chosen, what the ratio is, and whether the best model beats the best simple baseline.
 */
export function anomalyNotes(rows: Row[]): string[] {
  const out: string[] = [''];
  const ns = rows.find((r) => r.noSkill)?.noSkill;
  if (ns) {
    out.push(`No skill on these test rows (a constant score): VUS-PR ${f(ns.vusPr, 3)}, PR-AUC ${f(ns.prAuc, 3)} (the label rate), ROC-AUC ${f(ns.rocAuc, 3)}, F1 ${f(ns.f1, 3)} (flagging every row).`);
  }
  const rules = [...new Set(rows.flatMap((r) => (r.thresholdRule ? [r.thresholdRule] : [])))];
  if (rules.length) {
    out.push(
      `F1@val and event recall use a threshold chosen on validation rows only (${rules.map((x) => (x === 'val_best_f1' ? 'best F1 on the labelled validation events' : 'the 99th percentile of validation scores')).join('; ')}), point-wise, without point adjustment; oracle F1 picks its threshold on the test rows and is optimistic.`,
    );
  }
  out.push('ratio = mean score of anomalous rows ÷ mean score of clean rows: a ratio, not a verdict (a few huge errors inflate it while most faults go unseen).');
  const best = (xs: Row[]): Row | undefined => xs.filter((r) => r.vusPr !== null).sort((a, b) => b.vusPr! - a.vusPr!)[0];
  const model = best(rows.filter((r) => !r.simpleBaseline && !r.error));
  const baseline = best(rows.filter((r) => r.simpleBaseline));
  if (model && baseline) {
    out.push(
      model.vusPr! > baseline.vusPr!
        ? `The best model (${model.model}, VUS-PR ${f(model.vusPr, 3)}) beats the best simple baseline (${baseline.model}, ${f(baseline.vusPr, 3)}).`
        : `No model beats the simple baseline ${baseline.model} (VUS-PR ${f(baseline.vusPr, 3)} vs ${f(model.vusPr, 3)} for ${model.model}): prefer the baseline here.`,
    );
  }
  return out;
}
