/** validate: runs model code (or a stored model) in the sandbox against the model contract. */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import { validationReportSchema } from '../engine/runner/types.js';
import { conflictingArguments, defineTool } from './define.js';
import { HORIZON_DEFAULTS_TEXT, LOOKBACK_DEFAULTS_TEXT, checkWindows, horizonSchema, lookbackSchema, windowsOf } from '../engine/windows.js';

export const validate = defineTool({
  name: 'validate',
  title: 'Validate model code',
  description:
    'Checks PyTorch model code against the contract in the sandbox: static policy (allowed imports, no escapes), build by ' +
    'parameter names, forward on a (B, L, C) batch, output shape (B, H, C) (a projection head is attached when the shape is ' +
    'wrong but mappable), finite values, gradients reaching every parameter, parameter budget, SEARCH_SPACE. Returns ok/failed ' +
    'with line-numbered violations, the traceback trimmed to the model’s frames, the output shape, parameters and latency.',
  input: z.object({
    code: z.string().min(1).max(200_000).optional().describe('Python source defining class Model(nn.Module).'),
    model: z.string().min(1).optional().describe('A stored model id or name, instead of code.'),
    dataset: z.string().min(1).optional().describe('Dataset id to take the number of features from.'),
    task: z.enum(['forecasting', 'anomaly']).default('forecasting'),
    lookback: lookbackSchema.optional().describe(`L (${LOOKBACK_DEFAULTS_TEXT}).`),
    horizon: horizonSchema.optional().describe(`H (${HORIZON_DEFAULTS_TEXT}).`),
    features: z.number().int().min(1).max(10_000).optional().describe('C when no dataset is given (default 7).'),
    paramBudget: z.number().int().min(1).optional().describe('Largest parameter count allowed.'),
    revin: z.boolean().default(false).describe('Validate with the Dyn-RevIN wrapper on.'),
  }),
  output: validationReportSchema.extend({ model: z.string().nullable(), dims: z.object({ task: z.string(), lookback: z.number().int(), horizon: z.number().int(), nFeatures: z.number().int() }) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  // A sandboxed run takes seconds, tens of seconds on a loaded host.
  long: true,
  background: true,
  cli: { positional: ['code'], files: ['code'] },
  async handler(args, ctx) {
    if ((args.code === undefined) === (args.model === undefined)) {
      throw new GenAutoMLError('tool.invalid_arguments', args.code === undefined ? 'Give the model code or a stored model.' : 'Give either code or model, not both.', {
        hint: 'code: the Python source; model: a name from list_models.',
      });
    }
    if (args.dataset !== undefined && args.features !== undefined) {
      throw conflictingArguments('validate', 'features and dataset were both given; the dataset fixes the number of features.', 'Give dataset, or features without a dataset.');
    }
    const stored = args.model ? await ctx.app.models.get(args.model) : undefined;
    const code = stored?.code ?? (args.code as string);
    const dataset = args.dataset ? await ctx.app.datasets.get(args.dataset) : undefined;
    const nFeatures = dataset ? dataset.meta.columns.length : (args.features ?? 7);
    const dims = { task: args.task, ...windowsOf(args.task, args), nFeatures };
    // Validating for a dataset whose splits cannot hold the windows would pass a model that can never train on it.
    if (dataset) checkWindows(dataset.meta.splits, dims.lookback, dims.horizon);
    const report = await ctx.app.runner.validate(code, dims, { signal: ctx.signal, admission: 'call', revin: args.revin, ...(args.paramBudget ? { paramBudget: args.paramBudget } : {}) });
    const shape = (s: number[] | null): string => (s ? `(${s.join(', ')})` : '—');
    const lines = report.ok
      ? [
          `Valid: output ${shape(report.outputShape)} for expected ${shape(report.expectedShape)}, ${report.params?.toLocaleString('en-US')} parameters, ${report.latencyMs?.toFixed(2)} ms per forward (batch 1).`,
          ...(report.projection ? [`A projection head was attached (${report.projection.kind}): ${report.projection.detail}`] : []),
          ...(report.searchSpace ? [`SEARCH_SPACE: ${Object.entries(report.searchSpace).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join('; ')}`] : []),
        ]
      : [
          `Invalid at stage ${report.stage}: ${report.message}`,
          ...report.violations.map((v) => `  line ${v.line}:${v.col} [${v.rule}] ${v.message}`),
          ...(report.traceback ? ['', report.traceback] : []),
        ];
    return {
      data: { ...report, model: stored?.name ?? null, dims },
      summary: lines.join('\n'),
    };
  },
});
