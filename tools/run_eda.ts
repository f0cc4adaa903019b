/** run_eda: statistics, stationarity, seasonality, correlations, outliers and plots of a dataset. */
import { z } from 'zod';
import { describeLabelCounts, splitLabelCountsSchema } from '../engine/data/label-windows.js';
import { answerQuestion } from '../engine/eda/index.js';
import { edaForDataset } from '../engine/eda/run.js';
import { defineTool } from './define.js';

const n = z.number().nullable();

const featureOut = z.object({
  name: z.string(),
  count: z.number().int(),
  missing: z.number().int(),
  mean: n,
  std: n,
  min: n,
  q25: n,
  median: n,
  q75: n,
  max: n,
  skewness: n,
  kurtosis: n,
  adf: z.object({ statistic: z.number(), pValue: z.number() }).nullable(),
  kpss: z.object({ statistic: z.number(), pValue: z.number() }).nullable(),
  stationarity: z.string(),
  periods: z.array(z.object({ label: z.string(), steps: z.number(), powerShare: z.number() })),
  trendStrength: n,
  seasonalStrength: n,
  outliers: z.object({ robust: z.number().int(), iqr: z.number().int(), top: z.array(z.object({ time: z.string().nullable(), value: z.number(), robustZ: z.number() })) }),
});

export const runEdaTool = defineTool({
  name: 'run_eda',
  title: 'Explore a dataset',
  description:
    'Exploratory analysis of a loaded dataset in its original units: per-feature statistics, ADF and KPSS stationarity tests ' +
    'with a plain verdict, seasonality (ACF and periodogram; dominant periods in time units), trend and seasonal strength, ' +
    'correlations, outliers with their timestamps, a context paragraph for the neural architect, and PNG plots. An optional ' +
    'question is answered from the computed facts only.',
  input: z.object({
    dataset: z.string().min(1).describe('Dataset id from load_dataset.'),
    question: z.string().min(1).max(2000).optional().describe('A question about the data, answered from the computed facts.'),
    scope: z.enum(['all', 'train']).default('all').describe('Analyse every split, or the training split only.'),
    plots: z.enum(['links', 'inline', 'none']).default('links').describe('"links" (default): plots as resource links; "inline": also as images in the result; "none": no plots (faster).'),
  }),
  output: z.object({
    dataset: z.string(),
    rows: z.number().int(),
    frequency: z.string().nullable(),
    labels: splitLabelCountsSchema
      .nullable()
      .describe('Anomaly-labelled rows and events (runs of labelled rows) per split; null when the dataset has no labels.'),
    features: z.array(featureOut),
    topCorrelations: z.array(z.object({ a: z.string(), b: z.string(), r: z.number() })),
    context: z.string(),
    notes: z.array(z.string()),
    answer: z.object({ intent: z.string(), text: z.string(), facts: z.record(z.string(), z.unknown()) }).nullable(),
    plots: z.array(z.object({ name: z.string(), title: z.string(), uri: z.string(), width: z.number().int(), height: z.number().int() })),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  long: true,
  background: true,
  cli: { name: 'eda', positional: ['dataset'] },
  async handler(args, ctx) {
    const stages = ['statistics', 'plots'];
    const { report, plots } = await edaForDataset(ctx.app, args.dataset, {
      scope: args.scope,
      plots: args.plots !== 'none',
      onStage: (s) => ctx.progress({ done: stages.indexOf(s), total: stages.length, message: s }),
    });
    ctx.progress({ done: 2, total: 2, message: 'done' });
    const answer = args.question ? answerQuestion(args.question, report) : null;
    const features = report.features.map((f) => ({
      name: f.name,
      ...f.stats,
      adf: f.stationarity.adf ? { statistic: f.stationarity.adf.statistic, pValue: f.stationarity.adf.pValue } : null,
      kpss: f.stationarity.kpss ? { statistic: f.stationarity.kpss.statistic, pValue: f.stationarity.kpss.pValue } : null,
      stationarity: f.stationarity.verdict,
      periods: f.seasonality.dominantPeriods.map((p) => ({ label: p.label, steps: p.steps, powerShare: p.powerShare })),
      trendStrength: f.seasonality.trendStrength,
      seasonalStrength: f.seasonality.seasonalStrength,
      outliers: {
        robust: f.outliers.robustZ.count,
        iqr: f.outliers.iqr.count,
        top: f.outliers.top.slice(0, 5).map((o) => ({ time: o.time, value: o.value, robustZ: o.robustZ })),
      },
    }));
    const fmt = (v: number | null): string => (v === null ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
    const lines = [
      report.context,
      '',
      ...(report.dataset.labels ? [`Anomaly labels: ${describeLabelCounts(report.dataset.labels)}.`] : []),
      ...features.map((f) => `${f.name}: mean ${fmt(f.mean)}, std ${fmt(f.std)}, ${f.stationarity}, periods ${f.periods.map((p) => p.label).join(', ') || 'none'}, ${f.outliers.robust} outliers`),
      ...(answer ? ['', `Q: ${args.question}`, `A: ${answer.answer}`] : []),
    ];
    return {
      data: {
        dataset: args.dataset,
        rows: report.dataset.range[1] - report.dataset.range[0],
        frequency: report.dataset.frequencyLabel,
        labels: report.dataset.labels ?? null,
        features,
        topCorrelations: report.correlation.topPairs,
        context: report.context,
        notes: report.notes,
        answer: answer ? { intent: answer.intent, text: answer.answer, facts: answer.facts } : null,
        plots: plots.map((p) => ({ name: p.name, title: p.title, uri: `genautoml://artifacts/${p.sha256}`, width: p.width, height: p.height })),
      },
      summary: lines.join('\n'),
      images: plots.map((p) => ({ name: `${p.name}.png`, title: p.title, png: p.png, thumbnail: p.thumbnail, uri: `genautoml://artifacts/${p.sha256}`, inline: args.plots === 'inline' })),
    };
  },
});
