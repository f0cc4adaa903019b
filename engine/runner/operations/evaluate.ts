/** Evaluation on the test split, causal and scored by the host. */
import { z } from 'zod';
import { GenAutoMLError } from '../../errors.js';
import type { RunnerProcess } from '../process.js';
import { anomalyMetrics, defaultFaultCount, forecastMetrics, injectFaults, loadSeries, scoreWindows, windowInput, windowStarts } from '../scoring.js';
import { evaluateResultSchema, modelDimsSchema, type EvaluateResult, type EvaluateSpec } from '../types.js';
import { finiteOrNull, modelFields, parseOrThrow, type OperationOptions, type StagedRunner } from './staged.js';

/**
 * Causal evaluation in a fresh sandbox that holds no data: the host sends the validation then
 * the test windows one at a time in time order, each only after the previous prediction came
 * back, and computes every metric itself (scoring.ts). Anomaly faults are injected by the host.
 */
export async function evaluate(r: StagedRunner, spec: EvaluateSpec, options: OperationOptions = {}): Promise<EvaluateResult> {
  return (await evaluateWithPredictions(r, spec, options)).result;
}

/** One split's causal predictions, [windows, H, C] in window order, and the windows' first rows. */
export interface SplitPredictions {
  starts: number[];
  pred: Float32Array;
}

/**
 * The evaluation and the predictions it scored, held by the host (an ensemble is weighed on the
 * validation ones and scored once on the test ones without asking the model again).
 */
export interface EvaluationWithPredictions {
  result: EvaluateResult;
  lookback: number;
  val: SplitPredictions;
  test: SplitPredictions;
}

export async function evaluateWithPredictions(r: StagedRunner, spec: EvaluateSpec, options: OperationOptions = {}): Promise<EvaluationWithPredictions> {
  const dims = modelDimsSchema.parse(spec.dims);
  const { lookback: L, horizon: H, nFeatures: C } = dims;
  const series = await loadSeries(spec.data.valuesPath, spec.data.meta, spec.data.labelsPath);
  const anomaly = dims.task === 'anomaly';
  const [ta, tb] = spec.data.meta.splits.test;
  const injected = anomaly && !series.labels ? injectFaults(series, spec.anomaly?.seed ?? 0, spec.anomaly?.faults ?? defaultFaultCount(tb - ta)) : null;
  const testSeries = injected ? injected.series : series;
  const valStarts = windowStarts(series, 'val', L, H, anomaly ? H : 1);
  const testStarts = windowStarts(testSeries, 'test', L, H, anomaly ? H : 1);
  if (testStarts.length === 0) throw new GenAutoMLError('runner.bad_request', `the test split is shorter than lookback + horizon (${L} + ${H}) rows`);
  const windows = [...valStarts.map((s) => ({ s, from: series })), ...testStarts.map((s) => ({ s, from: testSeries }))];
  const pred = new Float32Array(windows.length * H * C);
  let next = 0;
  let proc: RunnerProcess | null = null;
  const sendNext = (): void => {
    const w = windows[next];
    if (!w) return proc?.send({ type: 'done' });
    const x = Buffer.from(windowInput(w.from, w.s, L).slice().buffer);
    proc?.send({ type: 'window', seq: next, start: w.s, x: x.toString('base64') });
  };
  const { data } = await r.staged({
    kind: 'trial',
    what: 'evaluation',
    ...(options.admission ? { admission: options.admission } : {}),
    inputs: [spec.weightsPath],
    timeoutS: r.timeout('trial', options.timeoutS),
    gpu: r.usesGpu(options.device),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    attach: (p) => {
      proc = p;
    },
    onEvent: (e) => {
      if (e.event === 'info' && e.message.startsWith('causal') && next === 0) return sendNext();
      if (e.event !== 'pred') return;
      const y = Buffer.from(e.y, 'base64');
      // One answer per window, for the window just sent; anything else ends the run.
      if (e.seq !== next || next >= windows.length || y.length !== H * C * 4) return proc?.kill('protocol', `evaluation answer ${e.seq} out of order or of the wrong size`);
      pred.set(new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.length)), next * H * C);
      next++;
      sendNext();
    },
    request: (paths) => ({
      op: 'evaluate_causal',
      ...modelFields(spec),
      meta: spec.data.meta,
      weightsPath: paths[0],
      ...r.common(options),
    }),
  });
  if (next !== windows.length) throw new GenAutoMLError('runner.protocol', `evaluation ended after ${next} of ${windows.length} windows`);
  const info = parseOrThrow(causalResultSchema, data, 'evaluate');
  const valPred = pred.subarray(0, valStarts.length * H * C);
  const testPred = pred.subarray(valStarts.length * H * C);
  const v = valStarts.length ? scoreWindows(series, valStarts, L, H, valPred) : null;
  const metrics = anomaly
    ? anomalyMetrics(testSeries, testStarts, L, H, testPred, injected ? 'injected' : 'dataset', injected ? injected.labels : series.labels!.subarray(ta, tb), injected ? injected.faults : [], { series, starts: valStarts, pred: valPred })
    : forecastMetrics(series, testStarts, L, H, testPred);
  const result = evaluateResultSchema.parse({
    metrics,
    validation: { loss: v ? finiteOrNull(anomaly ? v.mse : v.mae) : null, mae: finiteOrNull(v?.mae), mse: finiteOrNull(v?.mse), windows: valStarts.length },
    params: info.params,
    evalTimeS: info.evalTimeS,
    device: info.device,
    sandboxed: info.sandboxed,
  });
  return { result, lookback: L, val: { starts: valStarts, pred: valPred }, test: { starts: testStarts, pred: testPred } };
}

const causalResultSchema = z.object({ params: z.number().int(), evalTimeS: z.number(), device: z.string().max(100), sandboxed: z.boolean() });
