/** validate: runs model code (or a stored model) in the sandbox against the model contract. */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import { validationReportSchema } from '../engine/runner/types.js';
import { defineTool } from './define.js';

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
    lookback: z.number().int().min(1).max(10_000).optional().describe('L (default 96 forecasting, 60 anomaly).'),
    horizon: z.number().int().min(1).max(10_000).optional().describe('H (default 96 forecasting, 10 anomaly).'),
    features: z.number().int().min(1).max(10_000).optional().describe('C when no dataset is given (default 7).'),
    paramBudget: z.number().int().min(1).optional().describe('Largest parameter count allowed.'),
    revin: z.boolean().default(false).describe('Validate with the Dyn-RevIN wrapper on.'),
  }),
  output: validationReportSchema.extend({ model: z.string().nullable(), dims: z.object({ task: z.string(), lookback: z.number().int(), horizon: z.number().int(), nFeatures: z.number().int() }) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { positional: ['code'], files: ['code'] },
  async handler(args, ctx) {
    if ((args.code === undefined) === (args.model === undefined)) {
      throw new GenAutoMLError('validate.bad_arguments', args.code === undefined ? 'Give the model code or a stored model.' : 'Give either code or model, not both.', {
        hint: 'code: the Python source; model: a name from list_models.',
      });
    }
    const stored = args.model ? await ctx.app.models.get(args.model) : undefined;
    const code = stored?.code ?? (args.code as string);
    const nFeatures = args.dataset ? (await ctx.app.datasets.get(args.dataset)).meta.columns.length : (args.features ?? 7);
    const forecasting = args.task === 'forecasting';
    const dims = { task: args.task, lookback: args.lookback ?? (forecasting ? 96 : 60), horizon: args.horizon ?? (forecasting ? 96 : 10), nFeatures };
    const report = await ctx.app.runner.validate(code, dims, { signal: ctx.signal, revin: args.revin, ...(args.paramBudget ? { paramBudget: args.paramBudget } : {}) });
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
