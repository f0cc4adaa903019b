/** generate_pytorch_model: plain language in, a validated PyTorch model out, registered as a candidate. */
import { z } from 'zod';
import { generateAndRegister } from '../engine/architect/register.js';
import { validationReportSchema } from '../engine/runner/types.js';
import { defineTool } from './define.js';

export const generatePytorchModel = defineTool({
  name: 'generate_pytorch_model',
  title: 'Generate a PyTorch model',
  description:
    'The neural architect designs a PyTorch model from a plain-language request (e.g. "a lightweight inception model", ' +
    '"a recurrent model under 50k parameters"), using the dataset’s dimensions and EDA facts. A sandboxed reflection loop ' +
    'validates each attempt and sends the exact error back until the model satisfies the contract (up to maxIterations). ' +
    'A valid model is registered at once as a search candidate; a failure stores nothing and returns the last error and the log. ' +
    'Uses the configured LLM (Groq or an OpenAI-compatible endpoint), or the offline template architect when none is configured.',
  input: z.object({
    request: z.string().min(3).max(4000).describe('What to build, in plain language.'),
    dataset: z.string().min(1).optional().describe('Dataset id: gives the number of features and the domain context.'),
    task: z.enum(['forecasting', 'anomaly']).default('forecasting'),
    lookback: z.number().int().min(4).max(10_000).optional(),
    horizon: z.number().int().min(1).max(10_000).optional(),
    features: z.number().int().min(1).max(10_000).optional().describe('Number of features when no dataset is given (default 7).'),
    paramBudget: z.number().int().min(10).optional().describe('Largest parameter count.'),
    latencyMsBudget: z.number().positive().optional().describe('Largest forward latency at batch 1, in ms.'),
    forbidden: z.array(z.string().min(1)).max(20).optional().describe('Layers not to use, e.g. ["LSTM", "attention"].'),
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/).optional().describe('Name to register it under (suffixed if taken).'),
    maxIterations: z.number().int().min(1).max(20).default(5),
  }),
  output: z.object({
    ok: z.boolean(),
    model: z.object({ id: z.string(), name: z.string() }).nullable(),
    code: z.string().nullable(),
    report: validationReportSchema.nullable(),
    error: z.object({ stage: z.string(), message: z.string(), detail: z.string() }).nullable(),
    provider: z.string(),
    llmModel: z.string(),
    explanation: z.string().nullable(),
    iterations: z.array(z.object({ index: z.number().int(), error: z.string().nullable(), fixes: z.array(z.string()), durationMs: z.number(), tokens: z.number().int() })),
    tokens: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() }),
    log: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  long: true,
  cli: { name: 'generate', positional: ['request'] },
  async handler(args, ctx) {
    const { result, model } = await generateAndRegister(ctx.app, args, {
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ done: p.iteration, total: p.maxIterations, message: `${p.phase}: ${p.message}` }),
    });
    const offline = result.provider === 'offline';
    const data = {
      ok: result.ok,
      model: model ? { id: model.id, name: model.name } : null,
      code: result.code,
      report: result.report,
      error: result.error,
      provider: result.provider,
      llmModel: result.model,
      explanation: result.explanation,
      iterations: result.iterations.map((it) => ({
        index: it.index,
        error: it.error ? `${it.error.stage}: ${it.error.message}` : null,
        fixes: it.fixes,
        durationMs: it.durationMs,
        tokens: it.tokens.promptTokens + it.tokens.completionTokens,
      })),
      tokens: result.tokens,
      log: result.log,
    };
    const head = result.ok
      ? `Registered ${model?.name} (${result.report?.params?.toLocaleString('en-US')} parameters) after ${result.iterations.length} iteration(s); it is now a search candidate.`
      : `FAILED after ${result.iterations.length} iteration(s): ${result.error?.stage}: ${result.error?.message}. Nothing was registered.`;
    const via = offline ? 'Designed by the offline template architect (no LLM configured; set GROQ_API_KEY or GENAUTOML_LLM_BASE_URL to use one).' : `Designed by ${result.provider} (${result.model}).`;
    return {
      data,
      summary: [head, via, ...(result.explanation ? [result.explanation] : [])].join('\n'),
      attachments: [
        ...(result.code ? [{ name: `${model?.name ?? 'model'}.py`, text: result.code }] : []),
        { name: 'reflection-log.txt', text: result.log },
      ],
      ...(model ? { links: [{ uri: `genautoml://models/${model.id}`, name: `${model.name}.py`, mimeType: 'text/x-python' }] } : {}),
    };
  },
});
