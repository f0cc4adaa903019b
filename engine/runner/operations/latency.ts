/** Latency of a model's forward pass, measured in its own sandbox. */
import { latencyResultSchema, type LatencyResult, type LatencySpec } from '../types.js';
import { modelFields, parseOrThrow, type OperationOptions, type StagedRunner } from './staged.js';

export async function latency(r: StagedRunner, spec: LatencySpec, options: OperationOptions = {}): Promise<LatencyResult> {
  const { data } = await r.staged({
    kind: 'trial',
    what: 'latency measurement',
    ...(options.admission ? { admission: options.admission } : {}),
    inputs: spec.weightsPath ? [spec.weightsPath] : [],
    timeoutS: r.timeout('trial', options.timeoutS, 600),
    gpu: r.usesGpu(options.device),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    request: (paths) => ({
      op: 'latency',
      ...modelFields(spec),
      weightsPath: paths[0] ?? null,
      batchSize: spec.batchSize ?? 64,
      repeats: spec.repeats ?? 20,
      ...r.common(options),
    }),
  });
  return parseOrThrow(latencyResultSchema, data, 'latency');
}
