/**
 * generate_pytorch_model end to end: dimensions and domain facts from the dataset, the
 * reflection loop against the real sandboxed validator, and on success a registry entry that
 * is a search candidate at once. A failed generation stores nothing.
 */
import type { App } from '../app.js';
import { edaForDataset } from '../eda/run.js';
import type { EdaReport } from '../eda/index.js';
import { codeSha } from '../models/registry.js';
import type { ModelRecord } from '../../storage/models.js';
import { newId } from '../../storage/ids.js';
import { GenAutoMLError } from '../errors.js';
import type { ModelDims, Task } from '../runner/types.js';
import { uniqueName } from './extract.js';
import { generateModel, type ArchitectProgress, type GenerateModelResult } from './loop.js';
import type { EdaFacts } from './types.js';
import { checkWindows, windowsOf } from '../windows.js';

export interface GenerateRequest {
  request: string;
  dataset?: string;
  task: Task;
  lookback?: number;
  horizon?: number;
  features?: number;
  paramBudget?: number;
  latencyMsBudget?: number;
  forbidden?: string[];
  name?: string;
  maxIterations?: number;
}

/** The facts the offline architect reads, from the EDA of the target column. */
export function edaFactsOf(report: EdaReport): EdaFacts {
  const target = report.features.find((f) => f.name === report.dataset.target) ?? report.features[0];
  if (!target) return {};
  const ratio = target.volatility.ratio;
  return {
    periods: target.seasonality.dominantPeriods.map((p) => Math.round(p.steps)).filter((p) => p >= 2),
    stationary: target.stationarity.verdict === 'stationary' || target.stationarity.verdict === 'trend-stationary',
    ...(ratio === null ? {} : { volatility: ratio > 0.5 ? 'high' : ratio > 0.15 ? 'moderate' : 'low' }),
  };
}

export async function generateAndRegister(
  app: App,
  req: GenerateRequest,
  options: { signal?: AbortSignal; onProgress?: (p: ArchitectProgress) => void; admission?: 'call' | 'job' } = {},
): Promise<{ result: GenerateModelResult; model: ModelRecord | null }> {
  let nFeatures = req.features ?? 7;
  let edaContext: string | undefined;
  let edaFacts: EdaFacts | undefined;
  if (req.dataset) {
    // A design for windows the dataset cannot hold could never be trained on it: refused first.
    const w = windowsOf(req.task, req);
    checkWindows((await app.datasets.get(req.dataset)).meta.splits, w.lookback, w.horizon);
    // Training split only: the architect must not see statistics of the test period.
    const { report } = await edaForDataset(app, req.dataset, { scope: 'train', plots: false });
    nFeatures = report.dataset.columns.length;
    edaContext = report.context;
    edaFacts = edaFactsOf(report);
  }
  // The EDA's main period reaches the prompt and the validator as dims.period (cycle_index input).
  const period = edaFacts?.periods?.[0];
  const dims = {
    task: req.task,
    ...windowsOf(req.task, req),
    nFeatures,
    ...(period === undefined ? {} : { period }),
  };
  const existing = await app.models.names();
  const result = await generateModel({
    request: req.request,
    dims,
    ...(edaContext ? { edaContext } : {}),
    ...(edaFacts ? { edaFacts } : {}),
    constraints: {
      paramBudget: req.paramBudget ?? app.config.paramBudget,
      ...(req.latencyMsBudget ? { latencyMsBudget: req.latencyMsBudget } : {}),
      ...(req.forbidden?.length ? { forbidden: req.forbidden } : {}),
    },
    ...(req.maxIterations ? { maxIterations: req.maxIterations } : {}),
    provider: app.architect(),
    validator: app.runner,
    existingNames: existing,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.admission ? { admission: options.admission } : {}),
  });
  if (!result.ok || result.code === null || result.report === null) return { result, model: null };
  const model = await registerGenerated(app, result, { request: req.request, dims, ...(req.name ? { name: req.name } : {}) });
  return { result, model };
}

/** Stores a validated design as a generated model (a search candidate at once), under a free name. */
export async function registerGenerated(
  app: Pick<App, 'models'>,
  result: GenerateModelResult,
  meta: { request: string; dims: ModelDims; name?: string; lineage?: Record<string, unknown> },
): Promise<ModelRecord> {
  if (!result.ok || result.code === null || result.report === null) {
    throw new GenAutoMLError('architect.not_validated', 'Only a validated design can be registered.', { hint: 'This is a bug in the caller.' });
  }
  const name = uniqueName(meta.name ?? result.name ?? 'generated_model', await app.models.names());
  return app.models.insert({
    id: newId('md'),
    name,
    kind: 'generated',
    code: result.code,
    codeSha: codeSha(result.code),
    request: meta.request,
    provider: `${result.provider}:${result.model}`,
    iterations: result.iterations.length,
    report: result.report,
    dims: meta.dims,
    ...(meta.lineage ? { lineage: meta.lineage } : {}),
  });
}
