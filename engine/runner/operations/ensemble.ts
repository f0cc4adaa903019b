/**
 * A weighted ensemble of trained trials as one module (python ensemble.py): its latency, and its
 * export as one traced module. The members and weights come from the host (engine/search/ensemble.ts);
 * the sandbox only builds what it is told.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GenAutoMLError } from '../../errors.js';
import { withOsErrors } from '../../ops/os-errors.js';
import { ensembleMetadataJson, ensembleUsageMarkdown } from '../exportfiles.js';
import { checkTensorFile } from '../tensors.js';
import { latencyResultSchema, modelDimsSchema, type EnsembleExportSpec, type EnsembleSpec, type ExportResult, type LatencyResult, type ModelDims } from '../types.js';
import { exportCheckSchema, exportResultOf, traceExport } from './export.js';
import { modelFields, parseOrThrow, type OperationOptions, type StagedRunner } from './staged.js';

/** The ensemble's shapes: its members' horizon and features, the longest member lookback. */
export function ensembleDims(spec: EnsembleSpec): ModelDims {
  if (spec.members.length < 2 || spec.weights.length !== spec.members.length) {
    throw new GenAutoMLError('runner.bad_request', `an ensemble needs at least two members and one weight per member (got ${spec.members.length} and ${spec.weights.length})`);
  }
  if (!spec.weights.every((w) => Number.isFinite(w) && w >= 0)) throw new GenAutoMLError('runner.bad_request', 'ensemble weights must be finite and non-negative');
  const dims = spec.members.map((m) => modelDimsSchema.parse(m.dims));
  const first = dims[0]!;
  for (const d of dims) {
    if (d.horizon !== first.horizon || d.nFeatures !== first.nFeatures || d.task !== first.task) {
      throw new GenAutoMLError('runner.bad_request', 'ensemble members must share horizon, features and task');
    }
  }
  return dims.reduce((a, b) => (b.lookback > a.lookback ? b : a));
}

/** The members part of a request: each member's model fields and the staged path of its weights. */
function membersRequest(spec: EnsembleSpec, paths: string[]): Record<string, unknown> {
  return {
    members: spec.members.map((m, i) => ({ ...modelFields(m), weightsPath: paths[i] })),
    weights: spec.weights,
    dims: ensembleDims(spec),
  };
}

export async function ensembleLatency(r: StagedRunner, spec: EnsembleSpec & { batchSize?: number; repeats?: number }, options: OperationOptions = {}): Promise<LatencyResult> {
  ensembleDims(spec);
  const { data } = await r.staged({
    kind: 'trial',
    what: 'ensemble latency measurement',
    ...(options.admission ? { admission: options.admission } : {}),
    inputs: spec.members.map((m) => m.weightsPath),
    timeoutS: r.timeout('trial', options.timeoutS, 600),
    gpu: r.usesGpu(options.device),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    request: (paths) => ({ op: 'latency', ...membersRequest(spec, paths), batchSize: spec.batchSize ?? 64, repeats: spec.repeats ?? 20, ...r.common(options) }),
  });
  return parseOrThrow(latencyResultSchema, data, 'ensemble latency');
}

/**
 * The ensemble's export: the model's sandbox traces the one module into model.torchscript.pt and
 * model.onnx (the only files from code that ran the models); the host writes metadata.json and
 * USAGE.md; a fresh sandbox reloads both artefacts and compares them with the ensemble built from
 * the raw weights. No wrapper or weights.pt: each member's own export has those.
 */
export async function exportEnsemble(r: StagedRunner, spec: EnsembleExportSpec, options: OperationOptions = {}): Promise<ExportResult> {
  const dims = ensembleDims(spec);
  const outDir = path.resolve(spec.outDir);
  await withOsErrors('make the export directory', outDir, () => mkdir(outDir, { recursive: true }));
  if ((await readdir(outDir)).length > 0) {
    throw new GenAutoMLError('runner.export_exists', `export directory ${outDir} is not empty`, { hint: 'Export into a new directory.' });
  }
  for (const m of spec.members) checkTensorFile(await readFile(m.weightsPath));
  const base = {
    kind: 'trial' as const,
    timeoutS: r.timeout('trial', options.timeoutS, 900),
    gpu: false,
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const common = r.common({ ...options, device: 'cpu' });
  const weights = spec.members.map((m) => m.weightsPath);
  const { traced, tracedData, build } = await traceExport(r, base, outDir, {
    what: 'ensemble export',
    ...(options.admission ? { admission: options.admission } : {}),
    inputs: weights,
    request: (paths, scratch) => ({ op: 'export', ...membersRequest(spec, paths), outDir: scratch, opset: spec.opset ?? 17, ...common }),
  });
  const facts = { dims, data: spec.data, metrics: spec.metrics ?? {}, opset: spec.opset ?? 17, inputs: build.inputs, members: spec.describe.map((d, i) => ({ ...d, weight: spec.weights[i]!, lookback: spec.members[i]!.dims.lookback })) };
  const tracedFiles = traced.files.filter((f) => f.name !== 'build.json').map((f) => f.name);
  const names = [...tracedFiles, 'metadata.json', 'USAGE.md'].sort();
  await withOsErrors('write the export', outDir, async () => {
    await writeFile(path.join(outDir, 'metadata.json'), ensembleMetadataJson(facts), { flag: 'wx' });
    await writeFile(path.join(outDir, 'USAGE.md'), ensembleUsageMarkdown(facts, names), { flag: 'wx' });
  });
  // metadata.json first: the round trip's directory exists even when neither trace was written.
  const shipped = ['metadata.json', ...tracedFiles];
  const checked = await r.staged({
    ...base,
    what: 'ensemble export round trip',
    inputs: [...shipped.map((name) => ({ name, from: path.join(outDir, name) })), ...weights],
    request: (paths) => ({ op: 'export_check', ...membersRequest(spec, paths.slice(shipped.length)), exportDir: path.dirname(paths[0]!), ...common }),
  });
  return exportResultOf(outDir, names, tracedData, parseOrThrow(exportCheckSchema, checked.data, 'ensemble export round trip'), traced.sandboxed && checked.sandboxed);
}
