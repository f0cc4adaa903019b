/** generate_pytorch_model: plain language in, a validated PyTorch model out, registered as a candidate. */
import { z } from 'zod';
import { generateAndRegister } from '../engine/architect/register.js';
import { validationReportSchema } from '../engine/runner/types.js';
import { addCandidates, studyDesignTarget } from '../engine/search/candidates.js';
import { conflictingArguments, defineTool } from './define.js';
import { horizonSchema, lookbackSchema } from '../engine/windows.js';

/** Characters of the reflection log kept in the structured result; a long loop's log runs to tens of KB. */
const LOG_TAIL = 2000;

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
    lookback: lookbackSchema.optional(),
    horizon: horizonSchema.optional(),
    features: z.number().int().min(1).max(10_000).optional().describe('Number of features when no dataset is given (default 7).'),
    paramBudget: z.number().int().min(10).optional().describe('Largest parameter count.'),
    latencyMsBudget: z.number().positive().optional().describe('Largest forward latency at batch 1, in ms.'),
    forbidden: z.array(z.string().min(1)).max(20).optional().describe('Layers not to use, e.g. ["LSTM", "attention"].'),
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/).optional().describe('Name to register it under (suffixed if taken).'),
    maxIterations: z.number().int().min(1).max(20).default(5),
    study: z.string().min(1).optional().describe('A running study: the model is designed for its dataset and windows and, once valid, joins it live (trained next).'),
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
    log: z.string().describe(`The reflection loop's log, its last ${LOG_TAIL} characters (the full log is attached by the CLI and the bots).`),
    study: z.object({ id: z.string(), added: z.boolean() }).nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  long: true,
  background: true,
  cli: { name: 'generate', positional: ['request'] },
  async handler(args, ctx) {
    const { study, ...rest } = args;
    if (rest.dataset !== undefined && rest.features !== undefined) {
      throw conflictingArguments('generate_pytorch_model', 'features and dataset were both given; the dataset fixes the number of features.', 'Give dataset, or features without a dataset.');
    }
    const fixed = (['dataset', 'lookback', 'horizon', 'features'] as const).filter((k) => rest[k] !== undefined);
    if (study && fixed.length > 0) {
      throw conflictingArguments('generate_pytorch_model', `${fixed.join(', ')} given with study; the study fixes its dataset and windows.`, `Leave out ${fixed.join(', ')} to design for study ${study}, or leave out study.`);
    }
    // A study fixes the dataset and windows the model must fit; a closed one is refused before any work.
    const target = study ? await studyDesignTarget(ctx.app, study) : null;
    const { result, model } = await generateAndRegister(ctx.app, target ? { ...rest, ...target } : rest, {
      signal: ctx.signal,
      // A tool call: refused with runner.busy (retry-after) when every runner slot is taken.
      admission: 'call',
      onProgress: (p) => ctx.progress({ done: p.iteration, total: p.maxIterations, message: `${p.phase}: ${p.message}` }),
    });
    const joined = study && model ? await addCandidates(ctx.app, study, [model.name], { source: 'added' }) : null;
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
      log: result.log.length > LOG_TAIL ? `…${result.log.slice(-(LOG_TAIL - 1))}` : result.log,
      study: study ? { id: study, added: (joined?.added.length ?? 0) > 0 } : null,
    };
    const head = result.ok
      ? `Registered ${model?.name} (${result.report?.params?.toLocaleString('en-US')} parameters) after ${result.iterations.length} iteration(s); ${joined?.added.length ? `it joined study ${study} and is trained next.` : 'it is now a search candidate.'}`
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
